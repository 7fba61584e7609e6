"""Instruments as TOML files: read with tomllib, written with tomli-w, checked with line numbers.

The layout (documented in instruments/README.md) is arrays of tables: ``[[bank]]``,
``[[bank.section]]`` and ``[[bank.section.statement]]``. Each value is serialised by
tomli-w; this module only arranges the tables and adds a derived-code comment above each
statement so that a person reading the file sees ``JPD C2`` without counting.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from pathlib import Path as FsPath
from typing import Any

import tomli_w

from tui.domain.instrument.checks import check_instrument, describe
from tui.domain.instrument.model import (
    DEFAULT_STAGES,
    SECTION_LETTERS,
    Bank,
    Instrument,
    ParticipantKey,
    Role,
    RoleGroup,
    School,
    Section,
    Statement,
)
from tui.domain.instrument.problems import ERROR, InstrumentError, Path, Problem
from tui.domain.paths import write_atomically

FORMAT = 1

_TOP_KEYS = ("format", "id", "title", "version", "instructions", "sign_off", "marking", "note", "retired_ids",
             "stages", "school", "role", "role_group", "bank")
_BANK_KEYS = ("id", "abbreviation", "title", "dimension", "rubric", "note", "stages", "section")
_SECTION_KEYS = ("letter", "statement")
_STATEMENT_KEYS = ("id", "text", "negative", "incomplete", "note")
_SCHOOL_KEYS = ("letter", "name")
_ROLE_KEYS = ("digit", "label")
_GROUP_KEYS = ("name", "label", "roles")


# --- where things are in the text -----------------------------------------------------

_AOT_HEADER = re.compile(r"^\[\[\s*(.+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]")
_KEY_LINE = re.compile(r"^([A-Za-z0-9_\-\"'. ]+?)\s*=\s*(.*)$")


def _key_parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in dotted.split(".")]


class LineLocator:
    """Maps a path such as ('bank', 2, 'section', 1, 'statement', 0, 'text') to a line.

    A light scan of the text (tomllib keeps no positions). It understands table and
    array-of-table headers, key lines, multi-line strings and one-element-per-line inline
    arrays, which covers files SurveyDesk writes and files people write from the example.
    Unknown paths fall back to the nearest known ancestor.
    """

    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        counts: dict[Path, int] = {}
        current: Path = ()
        in_string: str | None = None
        in_array: Path | None = None
        array_items = 0
        # TOML lines end at "\n" only: str.splitlines() would also split at U+0085, U+2028,
        # U+2029 (legal inside a string) and shift every later line number.
        for lineno, line in enumerate(text.split("\n"), start=1):
            stripped = line.strip()
            if in_string:
                if in_string in stripped:
                    in_string = None
                continue
            if in_array is not None:
                if stripped.startswith("{") or (stripped and stripped[0] in "\"'0123456789-tf"):
                    self.lines.setdefault(in_array + (array_items,), lineno)
                    array_items += 1
                if stripped.startswith("]"):
                    in_array = None
                continue
            if not stripped or stripped.startswith("#"):
                continue
            if m := _AOT_HEADER.match(stripped):
                array = self._resolve(_key_parts(m.group(1)), counts)
                index = counts.get(array, 0)
                counts[array] = index + 1
                current = array + (index,)
                self.lines.setdefault(array, lineno)
                self.lines[current] = lineno
                continue
            if m := _TABLE_HEADER.match(stripped):
                current = self._resolve(_key_parts(m.group(1)), counts)
                self.lines.setdefault(current, lineno)
                continue
            if m := _KEY_LINE.match(stripped):
                path = current + tuple(_key_parts(m.group(1)))
                self.lines.setdefault(path, lineno)
                value = m.group(2).strip()
                for quote in ('"""', "'''"):
                    if value.startswith(quote) and value.count(quote) == 1:
                        in_string = quote
                if value.startswith("[") and not value.rstrip().endswith("]"):
                    in_array, array_items = path, 0

    @staticmethod
    def _resolve(parts: list[str], counts: dict[Path, int]) -> Path:
        """Turn header names into a path, stepping into the last element of each array."""
        path: Path = ()
        for part in parts[:-1]:
            path = path + (part,)
            if path in counts:
                path = path + (counts[path] - 1,)
        return path + (parts[-1],)

    def line_for(self, path: Path) -> int:
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return 1


# --- reading --------------------------------------------------------------------------


class _Reader:
    """Builds the model from tomllib's dict, collecting every type and key problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # model path -> file path, for sections that were out of order in the file
        self.section_paths: dict[tuple[int, str], Path] = {}

    def problem(self, message: str, path: Path) -> None:
        self.problems.append(Problem(message, path, ERROR))

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], path: Path, what: str) -> None:
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.problem(
                    f"unknown key {key!r} in {what}{suggestion}; allowed: {', '.join(allowed)}",
                    path + (key,),
                )

    def text(self, table: dict[str, Any], key: str, path: Path, what: str, required: bool = False) -> str:
        if key not in table:
            if required:
                self.problem(f"{what} is missing {key!r}", path)
            return ""
        value = table[key]
        if isinstance(value, str):
            return value
        self.problem(
            f"{key!r} in {what} must be text in quotes, not {_type_name(value)}", path + (key,)
        )
        return str(value) if isinstance(value, (int, float)) else ""

    def flag(self, table: dict[str, Any], key: str, path: Path, what: str) -> bool:
        value = table.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(f"{key!r} in {what} must be true or false, not {_type_name(value)}", path + (key,))
        return False

    def tables(self, table: dict[str, Any], key: str, path: Path, what: str) -> list[dict[str, Any]]:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problem(
                f"{key!r} in {what} must be a list of tables ([[{'.'.join(map(str, path + (key,)))}]]), "
                f"not {_type_name(value)}",
                path + (key,),
            )
            return []
        out: list[dict[str, Any]] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append(item)
            else:
                self.problem(f"item {i + 1} of {key!r} in {what} must be a table, not {_type_name(item)}",
                             path + (key, i))
                out.append({})
        return out

    def stages(self, table: dict[str, Any], key: str, path: Path, what: str, complete: bool) -> dict[str, str]:
        if key not in table:
            return dict(DEFAULT_STAGES) if complete else {}
        value = table[key]
        if not isinstance(value, dict):
            self.problem(f"{key!r} in {what} must be a table of section letters A-D", path + (key,))
            return dict(DEFAULT_STAGES) if complete else {}
        stages: dict[str, str] = {}
        for letter, label in value.items():
            if letter not in SECTION_LETTERS:
                self.problem(f"stage label for section {letter!r} in {what}: sections are A-D",
                             path + (key, letter))
            elif not isinstance(label, str):
                self.problem(f"stage label for section {letter} in {what} must be text",
                             path + (key, letter))
            else:
                stages[letter] = label
        if complete:
            for letter in SECTION_LETTERS:
                if letter not in value:
                    self.problem(f"[{key}] has no label for section {letter}", path + (key,))
        return stages

    def read(self, doc: dict[str, Any]) -> Instrument:
        self.unknown_keys(doc, _TOP_KEYS, (), "the instrument")
        fmt = doc.get("format", FORMAT)
        if fmt != FORMAT:
            self.problem(
                f"format = {fmt!r} is not understood by this SurveyDesk (it reads format {FORMAT}); "
                "the file may come from a newer version",
                ("format",),
            )
        retired = doc.get("retired_ids", [])
        if not isinstance(retired, list) or not all(isinstance(x, str) for x in retired):
            self.problem("'retired_ids' must be a list of id strings", ("retired_ids",))
            retired = []
        return Instrument(
            id=self.text(doc, "id", (), "the instrument", required=True),
            title=self.text(doc, "title", (), "the instrument", required=True),
            version=self.text(doc, "version", (), "the instrument", required=True),
            instructions=self.text(doc, "instructions", (), "the instrument"),
            sign_off=self.text(doc, "sign_off", (), "the instrument"),
            marking=self.text(doc, "marking", (), "the instrument") or "tick",
            note=self.text(doc, "note", (), "the instrument"),
            stages=self.stages(doc, "stages", (), "the instrument", complete=True),
            retired_ids=tuple(retired),
            key=self.read_key(doc),
            banks=tuple(self.read_bank(t, i) for i, t in enumerate(self.tables(doc, "bank", (), "the instrument"))),
        )

    def read_key(self, doc: dict[str, Any]) -> ParticipantKey:
        schools = []
        for i, t in enumerate(self.tables(doc, "school", (), "the participant key")):
            path, what = ("school", i), f"school {i + 1}"
            self.unknown_keys(t, _SCHOOL_KEYS, path, what)
            schools.append(School(self.text(t, "letter", path, what, required=True),
                                  self.text(t, "name", path, what)))
        roles = []
        for i, t in enumerate(self.tables(doc, "role", (), "the participant key")):
            path, what = ("role", i), f"role {i + 1}"
            self.unknown_keys(t, _ROLE_KEYS, path, what)
            digit = t.get("digit")
            if "digit" not in t:
                self.problem(f"{what} is missing 'digit'", path)
            elif not isinstance(digit, int) or isinstance(digit, bool):
                self.problem(f"'digit' in {what} must be a whole number 1-9, not {_type_name(digit)}",
                             path + ("digit",))
                digit = None
            roles.append(Role(digit if isinstance(digit, int) else 0,
                              self.text(t, "label", path, what, required=True)))
        groups = []
        for i, t in enumerate(self.tables(doc, "role_group", (), "the participant key")):
            path, what = ("role_group", i), f"role group {i + 1}"
            self.unknown_keys(t, _GROUP_KEYS, path, what)
            members = t.get("roles", [])
            if not isinstance(members, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) for d in members
            ):
                self.problem(f"'roles' in {what} must be a list of role digits, e.g. [1, 2]", path + ("roles",))
                members = []
            groups.append(RoleGroup(self.text(t, "name", path, what, required=True),
                                    self.text(t, "label", path, what), tuple(members)))
        return ParticipantKey(tuple(schools), tuple(roles), tuple(groups))

    def read_bank(self, t: dict[str, Any], i: int) -> Bank:
        path: Path = ("bank", i)
        what = f"bank {i + 1}"
        self.unknown_keys(t, _BANK_KEYS, path, what)
        abbreviation = self.text(t, "abbreviation", path, what, required=True)
        if abbreviation:
            what = f"bank {i + 1} ({abbreviation})"
        by_letter: dict[str, Section] = {}
        for j, st in enumerate(self.tables(t, "section", path, what)):
            spath: Path = path + ("section", j)
            letter_raw = st.get("letter")
            letter = letter_raw if isinstance(letter_raw, str) else ""
            swhat = f"{what} section {letter or j + 1}"
            self.unknown_keys(st, _SECTION_KEYS, spath, swhat)
            if "letter" not in st:
                self.problem(f"{swhat} is missing 'letter' (A, B, C or D)", spath)
                continue
            if letter not in SECTION_LETTERS:
                self.problem(f"section letter {letter_raw!r} in {what} is outside A-D", spath + ("letter",))
                continue
            if letter in by_letter:
                self.problem(f"section {letter} appears twice in {what}", spath + ("letter",))
                continue
            statements = []
            for k, s in enumerate(self.tables(st, "statement", spath, swhat)):
                tpath = spath + ("statement", k)
                twhat = f"{abbreviation} {letter}{k + 1}"
                self.unknown_keys(s, _STATEMENT_KEYS, tpath, twhat)
                statements.append(Statement(
                    id=self.text(s, "id", tpath, twhat, required=True),
                    text=self.text(s, "text", tpath, twhat, required=True),
                    negative=self.flag(s, "negative", tpath, twhat),
                    note=self.text(s, "note", tpath, twhat),
                    incomplete=self.flag(s, "incomplete", tpath, twhat),
                ))
            by_letter[letter] = Section(letter, tuple(statements))
            self.section_paths[(i, letter)] = spath
        return Bank(
            id=self.text(t, "id", path, what, required=True),
            abbreviation=abbreviation,
            title=self.text(t, "title", path, what, required=True),
            dimension=self.text(t, "dimension", path, what),
            rubric=self.text(t, "rubric", path, what),
            note=self.text(t, "note", path, what),
            stages=self.stages(t, "stages", path, what, complete=False),
            sections=tuple(by_letter.get(letter, Section(letter)) for letter in SECTION_LETTERS),
        )

    def file_path(self, model_path: Path) -> Path:
        """Translate a model path (sections by letter) into a file path (sections by index)."""
        if len(model_path) >= 4 and model_path[0] == "bank" and model_path[2] == "section":
            bank, letter = model_path[1], model_path[3]
            spath = self.section_paths.get((bank, letter)) if isinstance(bank, int) and isinstance(letter, str) else None
            if spath is None:
                return model_path[:2]
            return spath + tuple(model_path[4:])
        return model_path


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def parse_instrument(text: str, filename: str = "<instrument>") -> tuple[Instrument | None, list[Problem]]:
    """Parse and check. Returns the instrument (None if unusable) and every problem found."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = 1
        if m := re.search(r"\(at line (\d+), column (\d+)\)", message):
            line = int(m.group(1))
            message = message[: m.start()].strip() + f" (column {m.group(2)})"
        elif "end of document" in message:
            line = text.count("\n") + 1
        return None, [Problem(f"not valid TOML: {message}", (), ERROR, filename, line)]
    except (RecursionError, MemoryError):
        return None, [Problem("not valid TOML: nesting too deep or file too large", (), ERROR, filename, 1)]
    reader = _Reader()
    instrument = reader.read(doc)
    problems = list(reader.problems)
    # Semantic rules run on what could be read; skip repeats of type problems at the same place.
    seen = {(p.path, p.message) for p in problems}
    for p in check_instrument(instrument):
        fp = reader.file_path(p.path)
        if (fp, p.message) not in seen:
            problems.append(Problem(p.message, fp, p.severity, where=p.where))
    locator = LineLocator(text)
    located = [
        Problem(p.message, p.path, p.severity, filename, locator.line_for(p.path),
                p.where or describe(instrument, p.path))
        for p in problems
    ]
    located.sort(key=lambda p: (p.line, p.severity != ERROR))
    usable = not any(p.is_error for p in located)
    return (instrument if usable else None), located


def problems_with_lines(instrument: Instrument, text: str, filename: str) -> list[Problem]:
    """The model's problems (paths by section letter, for jumping to the item) with the line each
    stands on in ``text``, the file ``instrument`` was read from and not edited since."""
    _, located = parse_instrument(text, filename)
    lines = {(p.message, p.severity): p.line for p in located}
    return [dataclasses.replace(p, file=filename, line=lines[(p.message, p.severity)])
            if (p.message, p.severity) in lines else p for p in check_instrument(instrument)]


def read_instrument_text(path: str | os.PathLike[str]) -> str:
    """The file's text, or InstrumentError saying in one line why it cannot be read."""
    path = FsPath(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError([Problem("no such file", (), ERROR, str(path), 0)]) from None
    except UnicodeDecodeError as exc:
        raise InstrumentError([Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                       (), ERROR, str(path), 1)]) from None
    except IsADirectoryError:
        raise InstrumentError([Problem("is a folder, not an instrument file", (), ERROR, str(path), 0)]) from None
    except OSError as exc:
        raise InstrumentError([Problem(f"cannot read: {exc.strerror}", (), ERROR, str(path), 0)]) from None


def load_instrument(path: str | os.PathLike[str]) -> Instrument:
    """Read an instrument file or raise InstrumentError listing every problem."""
    text = read_instrument_text(path)
    instrument, problems = parse_instrument(text, str(path))
    if instrument is None:
        raise InstrumentError(problems)
    return instrument


# --- writing --------------------------------------------------------------------------


def _kv(key: str, value: Any) -> str:
    """One ``key = value`` line (or block), serialised by tomli-w."""
    # A multi-line string would read back with "\r\n" turned into "\n": keep text with a
    # carriage return on one line, where tomli-w escapes it.
    multiline = not (isinstance(value, str) and "\r" in value)
    return tomli_w.dumps({key: value}, multiline_strings=multiline).rstrip("\n")


def _values(pairs: list[tuple[str, Any]]) -> list[str]:
    return [_kv(k, v) for k, v in pairs if v not in ("", None, False, (), [], {})]


def dumps_instrument(instrument: Instrument) -> str:
    out: list[str] = [
        "# SurveyDesk instrument. Format described in instruments/README.md.",
        "# Statement codes in comments (e.g. 'JPD C2 = JPD 8') are derived on save; ids are stable.",
    ]
    out += _values([
        ("format", FORMAT),
        ("id", instrument.id),
        ("title", instrument.title),
        ("version", instrument.version),
        ("note", instrument.note),
        ("marking", instrument.marking if instrument.marking != "tick" else ""),
        ("instructions", instrument.instructions),
        ("sign_off", instrument.sign_off),
        ("retired_ids", list(instrument.retired_ids)),
    ])
    out += ["", "# Hidden stage labels: never printed on a form.", "[stages]"]
    out += [_kv(letter, instrument.stages.get(letter, "")) for letter in SECTION_LETTERS]
    key = instrument.key
    for school in key.schools:
        out += ["", "[[school]]"] + _values([("letter", school.letter), ("name", school.name)])
    for role in key.roles:
        out += ["", "[[role]]"] + _values([("digit", role.digit), ("label", role.label)])
    for group in key.groups:
        out += ["", "[[role_group]]"] + _values(
            [("name", group.name), ("label", group.label), ("roles", list(group.roles))]
        )
    for bank in instrument.banks:
        out += ["", "[[bank]]"]
        out += _values([
            ("id", bank.id),
            ("abbreviation", bank.abbreviation),
            ("title", bank.title),
            ("dimension", bank.dimension),
            ("note", bank.note),
            ("rubric", bank.rubric),
        ])
        if bank.stages:
            # Inline: tomli-w would write a [stages] header, which clashes with the instrument's.
            labels = ", ".join(_kv(k, bank.stages[k]) for k in SECTION_LETTERS if k in bank.stages)
            out.append(f"stages = {{ {labels} }}")
        running = 0
        for section in bank.sections:
            out += ["", "[[bank.section]]", _kv("letter", section.letter)]
            for position, statement in enumerate(section.statements, start=1):
                running += 1
                out += [
                    "",
                    f"# {bank.abbreviation} {section.letter}{position} = {bank.abbreviation} {running}",
                    "[[bank.section.statement]]",
                ]
                out += _values([
                    ("id", statement.id),
                    ("text", statement.text),
                    ("negative", statement.negative),
                    ("incomplete", statement.incomplete),
                    ("note", statement.note),
                ])
    return "\n".join(out) + "\n"


def save_instrument(instrument: Instrument, path: str | os.PathLike[str]) -> None:
    """Write atomically (partial file + rename) so a crash never leaves half a file."""
    write_atomically(FsPath(path), dumps_instrument(instrument).encode("utf-8"))
