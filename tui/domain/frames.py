"""The shapes of returns as polars DataFrames, shared by the store, analysis and exports.

Wide: one row per return, the base columns below, then one Boolean column per statement
code in printed order ("JPD A1", ...): true = highlighted, false = not highlighted,
null = that bank's page was missing from the return.

Long: one row per return x statement, built from the wide frame by one unpivot and one join
(no Python loop over rows).

polars is imported inside each function so that importing this module stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .instrument import Instrument

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

# name -> polars dtype name, in column order
WIDE_BASE_COLUMNS: dict[str, str] = {
    "return_id": "Int64",
    "wave": "String",
    "serial": "String",  # null when the form carried none
    "participant_code": "String",
    "school": "String",  # the letter only; never a school name
    "role": "Int64",
    "role_group": "String",  # null when the role is in no group
    "verified": "Boolean",  # passes agree or every discrepancy resolved
}

STATEMENT_COLUMNS = ("code", "statement_id", "bank", "bank_id", "bank_title", "section", "stage",
                     "position", "number", "number_code", "text", "negative")


def base_schema() -> dict[str, pl.DataType]:
    import polars as pl

    return {name: getattr(pl, dtype)() for name, dtype in WIDE_BASE_COLUMNS.items()}


def wide_schema(instrument: Instrument) -> dict[str, pl.DataType]:
    import polars as pl

    schema = base_schema()
    schema.update({code: pl.Boolean() for code in instrument.codes()})
    return schema


def empty_wide(instrument: Instrument) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema=wide_schema(instrument))


def statement_frame(instrument: Instrument) -> pl.DataFrame:
    """One row per statement with everything derived about it, in printed order."""
    import polars as pl

    refs = list(instrument.refs())
    return pl.DataFrame(
        {
            "code": [r.code for r in refs],
            "statement_id": [r.statement.id for r in refs],
            "bank": [r.bank.abbreviation for r in refs],
            "bank_id": [r.bank.id for r in refs],
            "bank_title": [r.bank.title for r in refs],
            "section": [r.section.letter for r in refs],
            "stage": [r.stage for r in refs],
            "position": [r.position for r in refs],
            "number": [r.running for r in refs],
            "number_code": [r.number_code for r in refs],
            "text": [r.statement.text for r in refs],
            "negative": [r.statement.negative for r in refs],
        },
        schema={"code": pl.String, "statement_id": pl.String, "bank": pl.String, "bank_id": pl.String,
                "bank_title": pl.String, "section": pl.String, "stage": pl.String, "position": pl.Int64,
                "number": pl.Int64, "number_code": pl.String, "text": pl.String, "negative": pl.Boolean},
    ).with_row_index("order")


def long_from_wide(wide: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """Unpivot the statement columns and attach each statement's bank, section, stage, id."""
    base = [c for c in WIDE_BASE_COLUMNS if c in wide.columns]
    codes = instrument.codes()
    long = wide.unpivot(index=base, on=codes, variable_name="code", value_name="highlighted")
    return (
        long.join(statement_frame(instrument), on="code", how="left")
        .sort(["return_id", "order"])
        .drop("order")
    )
