"""Comparing two instrument versions by stable id (pure domain) and `surveydesk diff` (CLI)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.domain.instrument import diff as d
from tui.domain.instrument import edit as e
from tui.domain.instrument import save_instrument


@pytest.fixture
def waves(bundled):
    """2014 -> 2015 as in the thesis: JPD renamed, one statement reworded, one moved, one deleted."""
    old = e.edit_instrument(e.edit_bank(bundled, "jpd", title="Joint Professional Development"), version="2014")
    new = e.edit_instrument(e.edit_bank(old, "jpd", title="Joint Practice Development"), version="2015")
    new = e.edit_statement(new, "jpd.5", text="It encourages coaching and learning walks for all staff.")
    new = e.place_statement(new, "hsc.13", "hsc", "B")
    new = e.delete_statement(new, "jpd.3")
    return old, new


def test_rename_reword_move_and_delete_are_each_reported(waves):
    old, new = waves
    diff = d.diff_instruments(old, new)
    assert diff.lines() == [
        "version  2014 -> 2015",
        'renamed  bank JPD (jpd): "Joint Professional Development" -> "Joint Practice Development"',
        'reworded  JPD B2 (jpd.5): "It encourages coaching and engages in learning walks for staff." '
        '-> "It encourages coaching and learning walks for all staff."',
        'removed  JPD A3 (jpd.3): "Most staff do not see professional training days as important to their '
        'professional development, which is seen as the responsibility of individuals."',
        "moved  HSC C3 -> HSC B6 (hsc.13)",
        "renumbered  HSC C4 -> HSC C3 (hsc.14)",
        "renumbered  HSC C5 -> HSC C4 (hsc.15)",
    ]
    assert d.summary_line(diff) == "partnership-survey 2014 -> 2015: 7 changes"


def test_matching_is_by_id_for_the_analysis(waves):
    old, new = waves
    diff = d.diff_instruments(old, new)
    codes = diff.code_map
    assert codes["hsc.13"] == "HSC B6" and codes["jpd.5"] == "JPD B2" and "jpd.3" not in codes
    assert diff.removed_ids == ["jpd.3"] and diff.added_ids == []
    assert len(codes) == 59
    by_id = {m.id: m for m in d.match_statements(old, new)}
    assert by_id["hsc.13"].old.code == "HSC C3" and by_id["hsc.13"].new.code == "HSC B6"
    assert by_id["jpd.3"].new is None


def test_identical_versions_have_no_differences(bundled):
    diff = d.diff_instruments(bundled, bundled)
    assert not diff and diff.lines() == []
    assert d.summary_line(diff) == "partnership-survey 2015 -> 2015: no differences"
    assert len(diff.code_map) == 60


def test_moving_within_a_section_marks_only_the_moved_statement(bundled):
    new = e.place_statement(bundled, "jpd.1", "jpd", "A", 2)  # A1 to the end of section A
    assert d.diff_instruments(bundled, new).lines() == [
        "renumbered  JPD A2 -> JPD A1 (jpd.2)",
        "renumbered  JPD A3 -> JPD A2 (jpd.3)",
        "moved  JPD A1 -> JPD A3 (jpd.1)",
    ]


def test_move_to_another_bank_and_added_statement(bundled):
    new = e.place_statement(bundled, "jpd.13", "aa", "D")
    new, sid = e.add_statement(new, "jpd", "D", text="Staff lead JPD across the partnership.")
    lines = d.diff_instruments(bundled, new).lines()
    assert "moved  JPD D3 -> AA D3 (jpd.13)" in lines
    assert f'added  JPD D3 ({sid}): "Staff lead JPD across the partnership."' in lines


def test_abbreviation_change_is_one_rename_not_sixty_moves(bundled):
    new = e.edit_bank(bundled, "ec", abbreviation="EC")
    assert d.diff_instruments(bundled, new).lines() == ["renamed  bank E&C -> EC (ec)"]


def test_negative_flag_dimension_rubric_and_stages(bundled):
    new = e.toggle_negative(bundled, "jpd.2")
    new = e.toggle_negative(new, "cmp.1")
    new = e.edit_bank(new, "aa", dimension="Structures", rubric="Shorter rubric.")
    new = e.set_stage(new, "A", "Starting")
    new = e.set_bank_stage(new, "hsc", "D", "Trusting")
    lines = d.diff_instruments(bundled, new).lines()
    assert 'stage  section A: "Beginning" -> "Starting"' in lines
    assert 'stage  HSC section D (hsc): "Leading" -> "Trusting"' in lines
    assert "negative  JPD A2 (jpd.2): no longer negatively worded" in lines
    assert "negative  CMP A1 (cmp.1): now negatively worded" in lines
    assert 'dimension  bank AA (aa): "Collaborative capital" -> "Structures"' in lines
    assert "rubric  bank AA (aa): the rubric was changed" in lines
    # the instrument-wide change is not repeated for each bank
    assert sum(line.startswith("stage") for line in lines) == 2


def test_banks_added_removed_and_moved(bundled):
    new = e.delete_bank(bundled, "cmp")
    new = e.move_bank(new, "aa", -2)
    new, bank_id = e.add_bank(new, abbreviation="LDR", title="Leadership")
    lines = d.diff_instruments(bundled, new).lines()
    assert "bank moved  bank AA (aa): place 5 -> 2" in lines
    assert 'bank added  bank LDR (ldr): "Leadership", 0 statements' in lines
    assert 'bank removed  bank CMP (cmp): "Collective Moral Purpose", 8 statements' in lines
    assert not any(line.startswith("removed  CMP") for line in lines[: lines.index(
        'bank removed  bank CMP (cmp): "Collective Moral Purpose", 8 statements')])
    assert sum(line.startswith("removed  CMP") for line in lines) == 8


def test_participant_key_changes_never_show_school_names(bundled):
    new, _ = e.add_school(bundled)
    new = e.edit_school(new, 0, name="Hillside Primary")
    new = e.edit_role(new, 3, label="Middle leader")
    new = e.edit_group(new, 0, roles=(1, 2, 3))
    new = e.delete_group(new, 1)
    lines = d.diff_instruments(bundled, new).lines()
    assert lines == [
        "school added  F",
        "school renamed  A: secret name changed",
        'role relabelled  4: "Middle Leader" -> "Middle leader"',
        "group removed  SLT",
        "group changed  HD: roles 1 2 -> 1 2 3",
    ]
    assert "Hillside" not in "\n".join(lines)


# --- the command ------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True)


def test_cli_diff_prints_each_change(tmp_path, waves):
    old, new = waves
    save_instrument(old, tmp_path / "ps-2014.toml")
    save_instrument(new, tmp_path / "ps-2015.toml")
    result = run("diff", str(tmp_path / "ps-2014.toml"), str(tmp_path / "ps-2015.toml"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "partnership-survey 2014 -> 2015: 7 changes"
    assert "moved  HSC C3 -> HSC B6 (hsc.13)" in lines
    assert lines[1:] == d.diff_instruments(old, new).lines()


def test_cli_diff_refuses_unreadable_files_with_file_and_line(tmp_path, bundled):
    good = tmp_path / "good.toml"
    save_instrument(bundled, good)
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace('id = "jpd.5"', 'id = "jpd.4"'), encoding="utf-8")
    line = [n for n, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if text == 'id = "jpd.4"'][1]
    result = run("diff", str(good), str(bad))
    assert result.returncode == 1
    assert f"{bad}:{line}: JPD B2: id 'jpd.4' is already used by JPD B1" in result.stderr
    missing = run("diff", str(tmp_path / "nope.toml"), str(good))
    assert missing.returncode == 1 and f"{tmp_path / 'nope.toml'}: no such file" in missing.stderr
    assert "Traceback" not in result.stderr + missing.stderr
