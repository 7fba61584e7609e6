"""The TOML format: round trip, and malformed files each named with file, line and reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import ROOT
from tui.domain.instrument import (
    InstrumentError,
    bundled_instrument_path,
    dumps_instrument,
    load_instrument,
    parse_instrument,
    save_instrument,
)

MINIMAL = """\
format = 1
id = "mini"
title = "Mini survey"
version = "1"

[[school]]
letter = "A"

[[school]]
letter = "B"

[[role]]
digit = 2
label = "HT or DHT"

[[role]]
digit = 5
label = "Teacher"

[[role_group]]
name = "HD"
roles = [2]

[[role_group]]
name = "T"
roles = [5]

[[bank]]
id = "jpd"
abbreviation = "JPD"
title = "Joint Practice Development"

[[bank.section]]
letter = "A"

[[bank.section.statement]]
id = "jpd.1"
text = "The school encourages staff to share good practice."

[[bank.section.statement]]
id = "jpd.2"
text = "Staff development is not a priority."
negative = true

[[bank.section]]
letter = "B"

[[bank.section.statement]]
id = "jpd.3"
text = "Peer observation happens."
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def test_minimal_file_is_valid_and_sections_fill_to_four():
    inst, problems = parse_instrument(MINIMAL, "mini.toml")
    assert inst is not None, problems
    assert [s.letter for s in inst.banks[0].sections] == ["A", "B", "C", "D"]
    assert inst.codes() == ["JPD A1", "JPD A2", "JPD B1"]
    assert inst.find("JPD A2").statement.negative
    # empty C and D are worth a warning, not a refusal
    assert all(not p.is_error for p in problems)


def test_bundled_round_trip_load_save_load_identical(tmp_path, bundled):
    out = tmp_path / "copy.toml"
    save_instrument(bundled, out)
    again = load_instrument(out)
    assert again == bundled
    # and the writer is stable: saving the reloaded copy gives the same bytes
    assert dumps_instrument(again) == out.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == bundled_instrument_path().read_text(encoding="utf-8")


def test_round_trip_keeps_awkward_text(tmp_path, bundled):
    bank = bundled.banks[0]
    section = bank.sections[0]
    odd = replace(section.statements[0], text='Quotes "x", back\\slash, tab\there, ünïcödé — and a """ run',
                  note="line one\nline two")
    bank2 = replace(bank, sections=(replace(section, statements=(odd,) + section.statements[1:]),)
                    + bank.sections[1:])
    inst = replace(bundled, banks=(bank2,) + bundled.banks[1:], retired_ids=("jpd.99",))
    save_instrument(inst, tmp_path / "odd.toml")
    assert load_instrument(tmp_path / "odd.toml") == inst


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, bundled):
    save_instrument(bundled, tmp_path / "a.toml")
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


# Each malformed file: (what is changed, expected words, needle locating the expected line)
MALFORMED = [
    ("unknown key", ("title = \"Joint Practice Development\"", "title = \"Joint Practice Development\"\ntitel = \"x\""),
     "unknown key 'titel'", "titel"),
    ("duplicate bank abbreviation",
     ("[[bank.section]]\nletter = \"A\"", "[[bank.section]]\nletter = \"A\""),  # unchanged; bank appended below
     "duplicate bank abbreviation", "abbreviation = \"jpd\""),
    ("section letter outside A-D", ("[[bank.section]]\nletter = \"B\"", "[[bank.section]]\nletter = \"E\""), "section letter 'E'", "letter = \"E\""),
    ("empty statement", ("text = \"Peer observation happens.\"", "text = \"   \""), "statement JPD B1 is empty",
     "text = \"   \""),
    ("school letter not a capital", ("letter = \"B\"\n\n[[role]]", "letter = \"bb\"\n\n[[role]]"),
     "school letter 'bb'", "letter = \"bb\""),
    ("role digit out of range", ("digit = 5", "digit = 12"), "role digit 12", "digit = 12"),
    ("role group names unknown role", ("roles = [5]", "roles = [5, 7]"), "names role 7", "roles = [5, 7]"),
    ("wrong type for text", ("text = \"Peer observation happens.\"", "text = 42"), "must be text in quotes",
     "text = 42"),
    ("negative not boolean", ("negative = true", "negative = \"yes\""), "must be true or false",
     "negative = \"yes\""),
    ("duplicate statement id", ("id = \"jpd.3\"", "id = \"jpd.1\""), "id 'jpd.1' is already used",
     "id = \"jpd.1\"", 2),
    ("missing title", ("title = \"Mini survey\"\n", ""), "missing 'title'", "format = 1"),
    ("bad TOML syntax", ("version = \"1\"", "version = \"1"), "not valid TOML", "version = \"1"),
    ("duplicate key is a TOML error", ("version = \"1\"", "version = \"1\"\nversion = \"2\""), "not valid TOML",
     "version = \"2\""),
    ("newer format", ("format = 1", "format = 3"), "newer version", "format = 3"),
    ("statement without id", ("id = \"jpd.3\"\n", ""), "is missing 'id'", "text = \"Peer observation happens.\"",
     1, -1),
    ("duplicate section letter", ("letter = \"B\"\n\n[[bank.section.statement]]",
                                  "letter = \"A\"\n\n[[bank.section.statement]]"), "section A appears twice",
     "letter = \"A\"", 3),
    ("bank stage override outside A-D", ("title = \"Joint Practice Development\"",
                                         "title = \"Joint Practice Development\"\nstages = { E = \"x\" }"),
     "sections are A-D", "stages = { E"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_files_name_file_line_and_reason(case):
    name, (old, new), words, needle, *rest = case
    occurrence = rest[0] if rest else 1
    offset = rest[1] if len(rest) > 1 else 0
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    if name == "duplicate bank abbreviation":
        text += '\n[[bank]]\nid = "other"\nabbreviation = "jpd"\ntitle = "Other"\n\n[[bank.section]]\n' \
                'letter = "A"\n\n[[bank.section.statement]]\nid = "other.1"\ntext = "Something."\n'
    inst, problems = parse_instrument(text, "bad.toml")
    errors = [p for p in problems if p.is_error]
    assert inst is None, f"{name}: should be refused"
    matching = [p for p in errors if words in p.message]
    assert matching, f"{name}: expected {words!r} in {[str(p) for p in errors]}"
    expected_line = line_of(text, needle, occurrence) + offset
    assert matching[0].line == expected_line, f"{name}: {matching[0]} (expected line {expected_line})"
    assert str(matching[0]).startswith(f"bad.toml:{expected_line}: ")


def test_every_problem_is_reported_not_just_the_first():
    text = MINIMAL.replace('letter = "B"', 'letter = "E"').replace("digit = 5", "digit = 12")
    _, problems = parse_instrument(text, "bad.toml")
    messages = " | ".join(p.message for p in problems)
    assert "section letter 'E'" in messages and "role digit 12" in messages


def test_load_raises_with_all_problems(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace("digit = 5", "digit = 12"), encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(bad)
    assert f"{bad}:" in str(info.value) and "role digit 12" in str(info.value)


def test_load_reports_missing_and_binary_files(tmp_path):
    with pytest.raises(InstrumentError, match="no such file"):
        load_instrument(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InstrumentError, match="not UTF-8"):
        load_instrument(binary)


def test_truncated_bundled_file_is_a_clear_error():
    text = bundled_instrument_path().read_text(encoding="utf-8")
    inst, problems = parse_instrument(text[: len(text) // 2], "cut.toml")
    assert inst is None
    assert problems and all(p.file == "cut.toml" and p.line >= 1 for p in problems)


def test_example_in_instruments_readme_is_valid():
    readme = (ROOT / "instruments" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml", 1)[1].split("```", 1)[0]
    inst, problems = parse_instrument(example, "README example")
    assert inst is not None, [str(p) for p in problems]
    assert [str(p) for p in problems if "instructions ask" in p.message or "unsigned" in p.message] == []
