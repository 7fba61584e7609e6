"""The study's reporting reads: returns as polars frames, completeness, status and operator figures.

A mixin of ``Study`` so the class file holds the writes and their rules; everything here only reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import String, case, func, select

from tui.domain.store import schema as s
from tui.domain.store.records import OperatorStats, ReturnStatus, instrument_from_toml

if TYPE_CHECKING:  # pragma: no cover
    from contextlib import AbstractContextManager

    import polars as pl
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection

    from tui.domain.store.records import Wave


class StudyReads:
    """Reads for analysis and progress; ``Study`` provides ``wave`` and ``_read``."""

    if TYPE_CHECKING:  # pragma: no cover
        def wave(self, name: str) -> Wave: ...
        def _read(self) -> AbstractContextManager[Connection]: ...


    def returns_wide(self, wave: str) -> pl.DataFrame:
        """One row per return: base columns of tui.domain.returns.frames, then one Boolean per statement code
        (null where the bank's page was missing). Built without a Python loop over rows: the database
        joins each row into one text line, polars parses all lines at once and decodes the bit masks."""
        import polars as pl

        from tui.domain.returns import WIDE_BASE_COLUMNS, empty_wide, wide_schema
        from tui.domain.returns.answers import MISSING

        w = self.wave(wave)
        instrument = w.instrument
        r = s.returns
        # The answers' bank masks become fields of the line too (one token per bank, answers.encode),
        # so the CSV reader parses them as numbers: splitting the text in polars was a sixth of the read.
        line = (r.c.id.cast(String) + "," + r.c.participant_code + "," + func.coalesce(r.c.serial, "") + ","
                + r.c.status + "," + func.replace(r.c.answers, " ", ","))
        with self._read() as conn:
            of_wave = r.c.wave_id == w.id
            if conn.dialect.name == "sqlite" and _most_of_the_table(conn, w.id):
                # Read in table order, not through ix_returns_wave: the index visits the rows school by
                # school, a random walk through the file that took twice as long for 100,000 returns.
                of_wave = (r.c.wave_id + 0) == w.id
            blob = conn.execute(select(func.aggregate_strings(line, "\n")).where(of_wave)).scalar()
        if not blob:
            return empty_wide(instrument)
        masks = [f"__m{i}" for i in range(len(instrument.banks))]
        frame = pl.read_csv(
            blob.encode(), has_header=False, new_columns=["return_id", "participant_code", "serial", "status", *masks],
            schema={"return_id": pl.Int64, "participant_code": pl.String, "serial": pl.String, "status": pl.String,
                    **dict.fromkeys(masks, pl.Int64)},
            null_values=dict.fromkeys(masks, MISSING),  # a missing page
        )
        groups = {role.digit: instrument.key.group_of(role.digit) for role in instrument.key.roles}
        role = pl.col("participant_code").str.slice(1, 1).cast(pl.Int64)
        frame = frame.with_columns(
            pl.lit(wave).alias("wave"),
            pl.col("serial").replace("", None),
            pl.col("participant_code").str.slice(0, 1).alias("school"),
            role.alias("role"),
            role.replace_strict(groups, default=None, return_dtype=pl.String).alias("role_group"),
            (pl.col("status") == ReturnStatus.VERIFIED.value).alias("verified"),
        )
        bank_index = {bank.id: i for i, bank in enumerate(instrument.banks)}
        statements = [((pl.col(f"__m{bank_index[ref.bank.id]}") & (1 << (ref.running - 1))) != 0).alias(ref.code)
                      for ref in instrument.refs()]
        wide = frame.select(*WIDE_BASE_COLUMNS, *statements)
        if not wide["return_id"].is_sorted():  # read in table order it already is
            wide = wide.sort("return_id")
        return wide.cast(pl.Schema(wide_schema(instrument)))

    def serial_facts(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Every issued form (serial, issued_wave, issued_code, issued_school) and every returned serial
        (serial, return_id, returned_code): for checking a whole file of returns at once."""
        import polars as pl

        i, r, w = s.issued_forms, s.returns, s.waves
        with self._read() as conn:
            issued = conn.execute(select(i.c.serial, w.c.name, i.c.participant_code, i.c.school)
                                  .join(w, i.c.wave_id == w.c.id)).all()
            returned = conn.execute(select(r.c.serial, r.c.id, r.c.participant_code)
                                    .where(r.c.serial.is_not(None))).all()
        return (pl.DataFrame(issued, orient="row", schema={"serial": pl.String, "issued_wave": pl.String,
                                                            "issued_code": pl.String, "issued_school": pl.String}),
                pl.DataFrame(returned, orient="row", schema={"serial": pl.String, "return_id": pl.Int64,
                                                              "returned_code": pl.String}))

    def returns_long(self, wave: str) -> pl.DataFrame:
        from tui.domain.returns import long_from_wide

        return long_from_wide(self.returns_wide(wave), self.wave(wave).instrument)

    def issued_cells(self, wave: str) -> pl.DataFrame:
        """Forms issued in the wave per school x role (school, role, issued): what response rates
        need, without counting the returns (completeness does that too)."""
        import polars as pl

        w = self.wave(wave)
        with self._read() as conn:
            issued = conn.execute(select(s.issued_forms.c.school, s.issued_forms.c.role, func.count())
                                  .where(s.issued_forms.c.wave_id == w.id)
                                  .group_by(s.issued_forms.c.school, s.issued_forms.c.role)).all()
        return pl.DataFrame(issued, schema={"school": pl.String, "role": pl.Int64, "issued": pl.Int64}, orient="row")

    def completeness(self, wave: str) -> pl.DataFrame:
        """Issued vs returned per school x role: ``returned`` counts returns on a form issued in the
        wave, ``unmatched`` the returns linked to no issued form (keyed by code alone, or on a serial
        never issued), never folded into ``returned``."""
        import polars as pl

        w = self.wave(wave)
        left = self.issued_cells(wave)
        with self._read() as conn:
            matched = func.sum(case((s.returns.c.serial_issued, 1), else_=0))
            returned = conn.execute(select(s.returns.c.school, s.returns.c.role, matched, func.count() - matched)
                                    .where(s.returns.c.wave_id == w.id)
                                    .group_by(s.returns.c.school, s.returns.c.role)).all()
        right = pl.DataFrame(returned, schema={"school": pl.String, "role": pl.Int64, "returned": pl.Int64,
                                               "unmatched": pl.Int64}, orient="row")
        groups = {role.digit: w.instrument.key.group_of(role.digit) for role in w.instrument.key.roles}
        return (
            left.join(right, on=["school", "role"], how="full", coalesce=True, nulls_equal=True)
            .with_columns(pl.col("issued").fill_null(0), pl.col("returned").fill_null(0),
                          pl.col("unmatched").fill_null(0),
                          pl.lit(wave).alias("wave"),
                          pl.col("role").replace_strict(groups, default=None, return_dtype=pl.String)
                          .alias("role_group"))
            .select("wave", "school", "role", "role_group", "issued", "returned", "unmatched")
            .sort(["school", "role"], nulls_last=True)
        )

    def status(self) -> list[dict[str, Any]]:
        """Per wave: issued, returned (on an issued form), unmatched (returns linked to no issued form:
        counted apart, never in ``returned``), keyed once, awaiting second keying, verified, open
        discrepancies, drafts."""
        out = []
        with self._read() as conn:
            for w in conn.execute(select(s.waves.c.id, s.waves.c.name, s.waves.c.population)
                                  .order_by(s.waves.c.id)).mappings():
                def count(query: Select[int]) -> int:
                    n: int = conn.execute(query).scalar() or 0
                    return n
                r = s.returns
                one_pass = (select(func.count()).select_from(s.entry_passes)
                            .where(s.entry_passes.c.return_id == r.c.id).scalar_subquery()) == 1
                out.append({
                    "wave": w["name"],
                    "population": w["population"],
                    "issued": count(select(func.count()).select_from(s.issued_forms)
                                    .where(s.issued_forms.c.wave_id == w["id"])),
                    "returned": count(select(func.count()).select_from(r)
                                      .where(r.c.wave_id == w["id"], r.c.serial_issued)),
                    "unmatched": count(select(func.count()).select_from(r)
                                       .where(r.c.wave_id == w["id"], ~r.c.serial_issued)),
                    "single_keyed": count(select(func.count()).select_from(r)
                                          .where(r.c.wave_id == w["id"], one_pass)),
                    "awaiting_second": count(select(func.count()).select_from(r)
                                             .where(r.c.wave_id == w["id"], r.c.needs_second, one_pass)),
                    "verified": count(select(func.count()).select_from(r)
                                      .where(r.c.wave_id == w["id"], r.c.status == ReturnStatus.VERIFIED)),
                    "discrepancies_open": count(
                        select(func.count()).select_from(s.discrepancies.join(r))
                        .where(r.c.wave_id == w["id"], s.discrepancies.c.resolved_value.is_(None))),
                    "drafts": count(select(func.count()).select_from(s.drafts)
                                    .where(s.drafts.c.wave_id == w["id"])),
                })
        return out

    def operator_stats(self, wave: str | None = None) -> list[OperatorStats]:
        """CSPro-style figures per operator: passes, keystrokes and time; and errors found by second
        keying per 10,000 statements (an error is a resolved discrepancy where this operator's value lost)."""
        p, r, d = s.entry_passes, s.returns, s.discrepancies
        joined = p.join(r, p.c.return_id == r.c.id).join(s.waves, r.c.wave_id == s.waves.c.id)
        base = (select(p.c.operator, func.count(), func.sum(p.c.keystrokes), func.sum(p.c.seconds))
                .select_from(joined))
        if wave is not None:
            base = base.where(s.waves.c.name == wave)
        with self._read() as conn:
            totals = {row[0]: row[1:] for row in conn.execute(base.group_by(p.c.operator)).all()}
            compared: dict[str, int] = {}
            # Statements keyed in passes that a second keying checked (returns with two passes).
            q2 = (select(p.c.operator, s.waves.c.instrument_toml, func.count()).select_from(joined)
                  .where(r.c.id.in_(select(s.entry_passes.c.return_id).where(s.entry_passes.c.pass_no == 2))))
            if wave is not None:
                q2 = q2.where(s.waves.c.name == wave)
            for operator, toml, n in conn.execute(q2.group_by(p.c.operator, s.waves.c.instrument_toml)).all():
                compared[operator] = compared.get(operator, 0) + n * instrument_from_toml(toml).statement_count
            dq = select(d).join(r, d.c.return_id == r.c.id)
            if wave is not None:
                dq = dq.join(s.waves, r.c.wave_id == s.waves.c.id).where(s.waves.c.name == wave)
            errors: dict[str, int] = {}
            open_: dict[str, int] = {}
            for x in conn.execute(dq).mappings():
                if x["resolved_value"] is None:
                    for who in (x["first_operator"], x["second_operator"]):
                        open_[who] = open_.get(who, 0) + 1
                    continue
                wrong = x["second_operator"] if x["resolved_value"] == x["first_value"] else x["first_operator"]
                errors[wrong] = errors.get(wrong, 0) + 1
        return [OperatorStats(operator=op, returns=int(n or 0), keystrokes=int(keys or 0), seconds=float(secs or 0.0),
                              compared_statements=compared.get(op, 0), errors=errors.get(op, 0),
                              open_discrepancies=open_.get(op, 0))
                for op, (n, keys, secs) in sorted(totals.items())]


def _most_of_the_table(conn: Connection, wave_id: int) -> bool:
    """Whether the wave holds more than a twentieth of the returns ever saved (the highest id): then
    scanning the table in order beats looking each row up through the wave's index."""
    count = conn.execute(select(func.count()).select_from(s.returns).where(s.returns.c.wave_id == wave_id)).scalar()
    high = conn.execute(select(func.max(s.returns.c.id))).scalar()
    return bool(count and high and count * 20 > high)
