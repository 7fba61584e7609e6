"""The raw returns for statistics packages: SPSS ``.sav`` and Stata ``.dta``, wide and long, with
valid variable names, variable labels, value labels and a missing bank page as a defined missing value
(what the UK Data Service asks for, and what REDCap and Kobo give).

- Names: a statement code such as ``JPD A1`` or ``E&C A1`` is not a valid SPSS or Stata name; each
  becomes ``JPD_A1``, ``EC_A1`` (letters, digits and ``_``, at most 32 characters, Stata's limit, so
  one name serves both files). The codebook lists the mapping.
- Labels: the statement's code, running number and text, cut to each format's limit (SPSS 256 bytes,
  Stata 80 characters) with "…"; the codebook holds the whole text.
- Answers: 1 highlighted, 0 not, each labelled; a missing page is SPSS user-missing 9 and Stata's
  extended missing ``.a``, labelled "bank page missing", so it is missing in every statistic and
  still distinct from a blank.
- Serials, participant codes and school letters are strings: ``0000013`` keeps its zeros.

pyreadstat (the ReadStat library that R's haven uses) writes the files; it is imported when one is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tui.domain.instrument import Instrument

# value -> its label, in the shape pyreadstat takes
ValueLabels = dict[int | float, str]

NAME_LIMIT = 32  # Stata's limit; SPSS allows 64 bytes
SPSS_LABEL_BYTES = 256
STATA_LABEL_CHARS = 80
SPSS_PAGE_MISSING = 9
STATA_PAGE_MISSING = "a"  # Stata's .a
ANSWER_LABELS: ValueLabels = {0: "not highlighted", 1: "highlighted"}
PAGE_MISSING_LABEL = "bank page missing"
YES_NO: ValueLabels = {0: "no", 1: "yes"}
# SPSS's reserved words and Stata's; no variable may be called any of them.
RESERVED = {
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi",
    "_pred", "_rc", "_skip", "strl", "using",
}
# What the base columns of the wide and long returns mean (variable labels).
BASE_LABELS = {
    "return_id": "Return number in the study",
    "wave": "Wave",
    "serial": "Serial printed on the form (text: keeps its leading zeros)",
    "participant_code": "Participant code: school letter and role digit",
    "school": "School letter",
    "school_name": "School name (revealed at the researcher's request)",
    "role": "Role digit",
    "role_group": "Role group",
    "verified": "Verified by second keying or resolution",
    "variable": "The statement's variable in the wide file",
    "code": "Statement code",
    "statement_id": "The statement's stable id (the same in every instrument version)",
    "bank": "Bank",
    "section": "Section (A-D)",
    "number_code": "Running number in the bank",
    "negative": "Negatively worded statement",
    "highlighted": "Highlighted (1) or not (0); missing when the bank's page was missing",
}


def variable_name(text: str) -> str:
    """``JPD A1`` -> ``JPD_A1``, ``E&C A1`` -> ``EC_A1``: a name valid in SPSS and in Stata."""
    name = re.sub(r"[^A-Za-z0-9_]", "", re.sub(r"\s+", "_", text.strip()))
    if not name or not name[0].isalpha():
        name = f"v_{name}"
    name = name[:NAME_LIMIT]
    return f"{name[:NAME_LIMIT - 1]}_" if name.lower() in RESERVED else name


def variable_names(columns: Iterable[str]) -> dict[str, str]:
    """column -> a distinct valid name, in order; a clash gets ``_2``, ``_3`` (compared without case,
    as SPSS compares names)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = variable_name(column)
        counter = 1
        while name.lower() in taken:
            counter += 1
            suffix = f"_{counter}"
            name = variable_name(column)[:NAME_LIMIT - len(suffix)] + suffix
        taken.add(name.lower())
        names[column] = name
    return names


def statement_label(code: str, number_code: str, text: str, negative: bool) -> str:
    """"JPD A2 (JPD 2, negative): Staff development is not seen ..." (the full label, before cutting)."""
    return f"{code} ({number_code}{', negative' if negative else ''}): {text}"


def cut_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def cut_bytes(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, ending in "…" when cut (never in the middle of a character)."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("…".encode())
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip() + "…"


@dataclass(frozen=True)
class StatTable:
    """One file's worth: the frame under valid names, with everything its labels need."""

    frame: pl.DataFrame  # answers as Int8 1/0 with null for a missing page; other Booleans as Int8
    labels: dict[str, str]  # variable -> full label
    value_labels: dict[str, ValueLabels]
    answers: tuple[str, ...]  # variables whose null means "the bank's page was missing"


def wide_stat_table(wide: pl.DataFrame, instrument: Instrument) -> StatTable:
    """One row per return, one variable per statement (the wide returns of one wave)."""
    refs = {ref.code: ref for ref in instrument.refs()}
    names = variable_names(wide.columns)
    labels: dict[str, str] = {}
    values: dict[str, ValueLabels] = {}
    for column, name in names.items():
        ref = refs.get(column)
        if ref is not None:
            labels[name] = statement_label(ref.code, ref.number_code, ref.statement.text, ref.statement.negative)
            values[name] = dict(ANSWER_LABELS)
        else:
            labels[name] = BASE_LABELS.get(column, column)
    values.update(_base_value_labels(wide, names, instrument))
    frame = _numeric(wide).rename(names)
    return StatTable(frame, labels, values, tuple(names[c] for c in wide.columns if c in refs))


def long_stat_table(long: pl.DataFrame, instrument: Instrument) -> StatTable:
    """One row per return x statement (the long returns of one wave), with the wide file's
    variable name of each statement beside its code."""
    mapping = variable_names([*long.columns, *instrument.codes()])
    codes = pl.col("code").replace_strict({c: mapping[c] for c in instrument.codes()}, default=None)
    at = long.columns.index("code")
    long = long.select(*long.columns[:at], codes.alias("variable"), *long.columns[at:])  # (insert_column mutates)
    names = variable_names(long.columns)
    labels = {name: BASE_LABELS.get(column, column) for column, name in names.items()}
    values = _base_value_labels(long, names, instrument)
    values[names["highlighted"]] = dict(ANSWER_LABELS)
    return StatTable(_numeric(long).rename(names), labels, values, (names["highlighted"],))


def _base_value_labels(frame: pl.DataFrame, names: Mapping[str, str], instrument: Instrument) -> dict[str, ValueLabels]:
    values: dict[str, ValueLabels] = {}
    if "role" in names:
        values[names["role"]] = {role.digit: role.label for role in instrument.key.roles}
    for column in ("verified", "negative"):
        if column in names:
            values[names[column]] = dict(YES_NO)
    return values


def _numeric(frame: pl.DataFrame) -> pl.DataFrame:
    """Booleans as 1/0 (Int8); Stata and SPSS have no logical type. Whole numbers as Int32: Stata puts
    value labels on integer variables only."""
    return frame.with_columns(
        *[pl.col(c).cast(pl.Int8) for c, dtype in frame.schema.items() if dtype == pl.Boolean],
        *[pl.col(c).cast(pl.Int32) for c, dtype in frame.schema.items() if dtype == pl.Int64],
    )


def write_sav(table: StatTable, path: Path, *, file_label: str = "") -> None:
    """SPSS: a missing page is the user-missing value 9 (labelled), answers are nominal 0/1."""
    import pyreadstat

    answers = list(table.answers)
    frame = table.frame.with_columns(pl.col(answers).fill_null(SPSS_PAGE_MISSING)).with_columns(
        pl.col(c).fill_null("") for c, dtype in table.frame.schema.items() if dtype == pl.String)
    values = {name: dict(labels) for name, labels in table.value_labels.items()}
    for name in answers:
        values[name][SPSS_PAGE_MISSING] = PAGE_MISSING_LABEL
    integers = [c for c, dtype in frame.schema.items() if dtype.is_integer()]
    pyreadstat.write_sav(
        frame, str(path), file_label=cut_bytes(file_label, 64),
        column_labels={name: cut_bytes(label, SPSS_LABEL_BYTES) for name, label in table.labels.items()},
        variable_value_labels=values,
        missing_ranges={name: [SPSS_PAGE_MISSING] for name in answers},
        variable_measure={**{c: "scale" for c in integers}, **{name: "nominal" for name in values}},
        variable_format={c: "F8.0" if c not in values else "F1.0" for c in integers},
    )


def write_dta(table: StatTable, path: Path, *, file_label: str = "") -> None:
    """Stata: a missing page is the extended missing value .a (labelled); strings stay strings."""
    import pyreadstat

    answers = set(table.answers)
    columns = []
    for name in table.frame.columns:
        series = table.frame[name]
        if name in answers:  # numbers and "a" in one column: pyreadstat's way to write .a
            series = pl.Series(name, [STATA_PAGE_MISSING if v is None else v for v in series.to_list()],
                               dtype=pl.Object)
        elif series.dtype == pl.String:
            series = series.fill_null("")
        columns.append(series)
    values = {name: dict(labels) for name, labels in table.value_labels.items()}
    for name in answers:
        # pyreadstat's stubs allow number keys only, but it writes Stata's .a from the key "a".
        values[name][STATA_PAGE_MISSING] = PAGE_MISSING_LABEL  # type: ignore[index]
    pyreadstat.write_dta(
        pl.DataFrame(columns), str(path), file_label=cut_chars(file_label, STATA_LABEL_CHARS),
        column_labels={name: cut_chars(label, STATA_LABEL_CHARS) for name, label in table.labels.items()},
        variable_value_labels=values,
        missing_user_values={name: [STATA_PAGE_MISSING] for name in answers},
    )
