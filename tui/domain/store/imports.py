"""Storing a checked file of returns (returns_csv.check_returns_csv): all of it, while other
stations keep writing.

A million returns cannot be written in one transaction without holding the study's write lock for
many seconds, and a keying station waiting that long is a station stopped. So an import goes in
short transactions, in three steps:

1. **stage**: the checked rows go into ``import_rows``, in transactions sized and paused like the
   publishing ones (below). They are not returns: no count, table or export sees them. They do
   hold their serials — a station keying a paper whose serial is being imported is told so — and a
   crash while staging leaves nothing but staged rows, which the next import clears.
2. **publish**: batches of staged rows become returns (each with its first entry pass, and one
   audit entry per batch holding a digest of the staged rows it published), in transactions sized
   to take about 0.3 s, each followed by a pause in which a waiting station's write goes first.
   From the first batch on the import is finished whatever happens: a crash leaves it
   "publishing", ``surveydesk import --resume`` publishes the rest, and until then ``status`` says
   so and exports and reports refuse to run on the part-published data.
3. **done**.

So a file is imported whole or not at all — a file with one bad row changes nothing, a file that
passed its check is never left half-imported for good — and no station waits for the lock for more
than one batch. The staged rows stay as the import's record: ``audit --verify`` re-hashes them.
Portable SQLAlchemy Core throughout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, exists, func, insert, literal, null, select, update

from tui.domain.store import schema as s
from tui.domain.store.backend import new_id
from tui.domain.store.errors import DuplicateError, InputError, StoreError
from tui.domain.store.records import AuditAction, AuditEntity
from tui.domain.store.stations import check_operator
from tui.domain.store.verify import sampled, staged_digest

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl
    from sqlalchemy.engine import Connection

    from tui.domain.store.returns_csv import CheckedReturns, ImportProgress

STAGE_ROWS = 5_000  # staged rows in the first transaction; then sized like a publishing batch
PUBLISH_SECONDS = 0.3  # what a publishing transaction aims to take
PAUSE_SECONDS = 0.12  # after each: SQLite's busy handler retries a waiting writer every 0.1 s at most
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 2_000, 200, 50_000
STALE_SECONDS = 30  # an import that has not moved for this long was interrupted
LIVE = ("staging", "publishing")


@dataclass(frozen=True)
class ImportRecord:
    id: int
    file_name: str
    rows: int
    staged: int
    published: int
    state: str  # staging | publishing | done | abandoned
    operator: str
    started_at: str
    heartbeat_at: str
    interrupted: bool  # live, but not touched for STALE_SECONDS: its process was killed or lost the study

    def describe(self) -> str:
        if self.state == "publishing":
            return (f"the import of {self.file_name} (import #{self.id}, {self.rows:,} returns) has published "
                    f"{self.published:,} of them")
        return f"the import of {self.file_name} (import #{self.id}, {self.rows:,} returns) is being staged"


@dataclass(frozen=True)
class ImportResult:
    import_id: int | None
    return_ids: list[int]


class ImportInProgressError(StoreError):
    """An import is part-way through publishing: figures now would count part of it."""


class StudyImports:
    """Imports of checked files; ``Study`` provides the transactions, the clock and the audit."""

    if TYPE_CHECKING:  # pragma: no cover
        _uuid: str

        def _write(self) -> AbstractContextManager[Connection]: ...
        def _read(self) -> AbstractContextManager[Connection]: ...
        _now: Callable[[], str]

        def _audit(self, conn: Connection, *, operator: str, action: AuditAction, entity: AuditEntity, key: str | int,
                   wave: str | None = None, old: Any = None, new: Any = None, reason: str | None = None,
                   at: str | None = None) -> None: ...
        def _setting_in(self, conn: Connection, key: str) -> Any: ...
        def returns_inserted_with(self, marker: str) -> tuple[int, str | None, str | None]: ...

    def import_checked(self, checked: CheckedReturns, *, operator: str, reason: str | None = None,
                       progress: ImportProgress | None = None, publish_seconds: float = PUBLISH_SECONDS,
                       pause: float = PAUSE_SECONDS) -> ImportResult:
        """Stage, then publish, every row of ``checked`` (see the module's description)."""
        operator = check_operator(operator)
        self.clear_interrupted_staging(operator=operator)
        for record in self.imports(live=True):
            if record.state == "publishing" and record.interrupted:
                raise InputError(f"{record.describe()} and was interrupted; publish the rest first: "
                                 "surveydesk import --resume")
        if checked.count == 0:
            return ImportResult(None, [])
        import_id = self._stage(checked, operator, reason, progress)
        return ImportResult(import_id, self._publish(import_id, operator, progress, publish_seconds, pause))

    def resume_imports(self, *, operator: str, progress: ImportProgress | None = None,
                       publish_seconds: float = PUBLISH_SECONDS, pause: float = PAUSE_SECONDS) -> list[ImportResult]:
        """Publish the rest of every import that was interrupted while publishing; clear any
        interrupted while staging (they published nothing)."""
        operator = check_operator(operator)
        self.clear_interrupted_staging(operator=operator)
        return [ImportResult(r.id, self._publish(r.id, operator, progress, publish_seconds, pause))
                for r in self.imports(live=True) if r.state == "publishing" and r.interrupted]

    def imports(self, *, live: bool = False) -> list[ImportRecord]:
        query = select(s.imports).order_by(s.imports.c.id)
        if live:
            query = query.where(s.imports.c.state.in_(LIVE))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        now = self._now()
        return [ImportRecord(r["id"], r["file_name"], r["rows"], r["staged"], r["published"], r["state"],
                             r["operator"], r["started_at"], r["heartbeat_at"],
                             r["state"] in LIVE and _idle_seconds(r["heartbeat_at"], now) > STALE_SECONDS)
                for r in rows]

    def returns_imported_with(self, content: str) -> tuple[int, str | None, str | None]:
        """How many returns imported from files with this content (returns_csv.content_id) are still
        stored, and when and by whom the first such import came: imports staged here, and the imports
        of older versions, which audited each return with the content id in its reason."""
        import json

        stored, first_at, first_by = self.returns_inserted_with(content)
        with self._read() as conn:
            earlier = conn.execute(select(s.imports.c.id, s.imports.c.started_at, s.imports.c.operator)
                                   .where(s.imports.c.content_id == content,
                                          s.imports.c.state.in_(("publishing", "done")))
                                   .order_by(s.imports.c.id)).all()
            for import_id, at, operator in earlier:
                batches = conn.execute(select(s.audit.c.new).where(
                    s.audit.c.entity == AuditEntity.IMPORT, s.audit.c.action == AuditAction.PUBLISH,
                    s.audit.c.entity_key == str(import_id))).scalars().all()
                kept = 0
                for text in batches:
                    first, last = json.loads(text)["returns"]
                    kept += conn.execute(select(func.count()).select_from(s.returns).where(
                        s.returns.c.id >= first, s.returns.c.id <= last)).scalar() or 0
                stored += kept
                if kept and (first_at is None or at < first_at):
                    first_at, first_by = at, operator
        return stored, first_at, first_by

    def refuse_while_publishing(self) -> None:
        """ImportInProgressError while an import is part-published (its returns would count in part)."""
        for record in self.imports(live=True):
            if record.state == "publishing":
                hint = ("it was interrupted: surveydesk import --resume publishes the rest"
                        if record.interrupted else "wait for it to finish")
                raise ImportInProgressError(f"{record.describe()}: figures now would count part of it; {hint}")

    def clear_interrupted_staging(self, *, operator: str) -> None:
        for record in self.imports(live=True):
            if record.state == "staging" and record.interrupted:
                self._abandon(record.id, operator, "interrupted while staging: nothing was published")

    # --- staging -----------------------------------------------------------------------------------

    def _stage(self, checked: CheckedReturns, operator: str, reason: str | None,
               progress: ImportProgress | None) -> int:
        import polars as pl

        from tui.domain.store.returns_csv import content_id

        rows = checked.rows
        content = content_id(rows)
        with self._read() as conn:
            wave_ids = dict(conn.execute(select(s.waves.c.name, s.waves.c.id)).all())
        staged = rows.with_row_index("seq").select(
            pl.col("seq").cast(pl.Int64), pl.col("row").alias("row_no"),
            pl.col("wave").replace_strict(wave_ids, return_dtype=pl.Int64).alias("wave_id"),
            "participant_code", "school", "role", "serial", "answers")
        now = self._now()
        with self._write() as conn:
            import_id = new_id(conn.execute(insert(s.imports).values(
                file_name=checked.path.name, file_sha256=checked.sha256, content_id=content,
                rows=rows.height, staged=0, published=0, state="staging", operator=operator, reason=reason,
                started_at=now, heartbeat_at=now)))
            self._audit(conn, operator=operator, action=AuditAction.STAGE, entity=AuditEntity.IMPORT, key=import_id, at=now,
                        new={"file": checked.path.name, "sha256": checked.sha256, "content_id": content,
                             "rows": rows.height}, reason=reason)
        try:
            start, size = 0, STAGE_ROWS
            while start < rows.height:
                began = time.monotonic()
                chunk = staged.slice(start, size)
                with self._write() as conn:
                    self._refuse_taken_serials(conn, import_id, chunk)
                    conn.execute(insert(s.import_rows),
                                 [{"import_id": import_id, **r} for r in chunk.iter_rows(named=True)])
                    conn.execute(update(s.imports).where(s.imports.c.id == import_id).values(
                        staged=start + chunk.height, heartbeat_at=self._now()))
                start += chunk.height
                if progress:
                    progress(start, rows.height, "staging")
                # Sized like a publishing batch, and the same pause after it: back to back, 200
                # transactions left a waiting station no gap (it waited 11 s under load).
                size = _next_size(size, time.monotonic() - began, PUBLISH_SECONDS)
                if start < rows.height:
                    time.sleep(PAUSE_SECONDS)
            with self._write() as conn:
                conn.execute(update(s.imports).where(s.imports.c.id == import_id).values(
                    state="publishing", heartbeat_at=self._now()))
        except BaseException:
            self._abandon(import_id, operator, "stopped while staging: nothing was published")
            raise
        return import_id

    def _refuse_taken_serials(self, conn: Connection, import_id: int, chunk: pl.DataFrame) -> None:
        """A serial returned by a station, or held by another import, since the file was checked."""
        import polars as pl

        given = chunk.filter(pl.col("serial").is_not_null()).select("row_no", "serial")
        serials = given["serial"].to_list()
        for i in range(0, len(serials), 500):
            part = serials[i:i + 500]
            taken = conn.execute(select(s.returns.c.serial, s.returns.c.id).where(s.returns.c.serial.in_(part))).first()
            held = conn.execute(
                select(s.import_rows.c.serial, s.imports.c.file_name)
                .join(s.imports, s.imports.c.id == s.import_rows.c.import_id)
                .where(s.import_rows.c.serial.in_(part), s.imports.c.state.in_(LIVE),
                       s.imports.c.id != import_id)).first()
            hit = taken or held
            if hit is not None:
                serial = hit[0]
                row = given.filter(pl.col("serial") == serial)["row_no"][0]
                where = f"return #{taken[1]} was saved with it" if taken else f"the import of {hit[1]} holds it"
                raise DuplicateError(f"row {row}: serial {serial} was returned while this file was being imported "
                                     f"({where}); nothing was imported")

    def _abandon(self, import_id: int, operator: str, why: str) -> None:
        while True:  # in short transactions: a big staging can be cleared without holding the lock long
            with self._write() as conn:
                seqs = conn.execute(select(s.import_rows.c.seq).where(s.import_rows.c.import_id == import_id)
                                    .order_by(s.import_rows.c.seq).limit(STAGE_ROWS * 4)).scalars().all()
                if seqs:
                    conn.execute(delete(s.import_rows).where(s.import_rows.c.import_id == import_id,
                                                             s.import_rows.c.seq <= seqs[-1]))
                    continue
                staged = conn.execute(select(s.imports.c.staged).where(s.imports.c.id == import_id)).scalar()
                conn.execute(update(s.imports).where(s.imports.c.id == import_id).values(
                    state="abandoned", finished_at=self._now()))
                self._audit(conn, operator=operator, action=AuditAction.ABANDON, entity=AuditEntity.IMPORT, key=import_id,
                            new={"staged": staged}, reason=why)
                return

    # --- publishing ------------------------------------------------------------------------------

    def _publish(self, import_id: int, operator: str, progress: ImportProgress | None, seconds: float,
                 pause: float) -> list[int]:
        size, ids = FIRST_BATCH, []
        while True:
            started = time.monotonic()
            with self._write() as conn:
                record = conn.execute(select(s.imports).where(s.imports.c.id == import_id)).mappings().one()
                done, total = record["published"], record["rows"]
                if record["state"] != "publishing":
                    break
                if done >= total:
                    now = self._now()
                    conn.execute(update(s.imports).where(s.imports.c.id == import_id).values(
                        state="done", finished_at=now, heartbeat_at=now))
                    self._audit(conn, operator=operator, action=AuditAction.DONE, entity=AuditEntity.IMPORT, key=import_id, at=now,
                                new={"returns": total})
                    break
                end = min(total, done + size)
                ids += self._publish_batch(conn, import_id, done, end, operator)
            if progress:
                progress(end, total, "publishing")
            size = _next_size(size, time.monotonic() - started, seconds)
            if end < total:
                time.sleep(pause)  # a station waiting for the lock writes now
        return ids

    def _publish_batch(self, conn: Connection, import_id: int, start: int, end: int, operator: str) -> list[int]:
        r, staged = s.returns, s.import_rows
        at = self._now()
        share = self._setting_in(conn, "second_keying_share")
        high = conn.execute(select(func.coalesce(func.max(r.c.id), 0))).scalar()
        chosen = (staged.c.import_id == import_id) & (staged.c.seq >= start) & (staged.c.seq < end)
        issued = exists().where(s.issued_forms.c.serial == staged.c.serial)
        conn.execute(insert(r).from_select(
            ["wave_id", "serial", "serial_issued", "participant_code", "school", "role", "answers", "status",
             "needs_second", "version", "created_at", "created_by", "updated_at"],
            select(staged.c.wave_id, staged.c.serial, issued, staged.c.participant_code, staged.c.school,
                   staged.c.role, staged.c.answers, literal("entered"), literal(share >= 1), literal(1),
                   literal(at), literal(operator), literal(at)).where(chosen).order_by(staged.c.seq)))
        ids = conn.execute(select(r.c.id).where(r.c.id > high).order_by(r.c.id)).scalars().all()
        if len(ids) != end - start or ids[-1] - ids[0] + 1 != len(ids):  # pragma: no cover - the write lock is held
            raise StoreError(f"import #{import_id}: rows {start}-{end} did not get consecutive return numbers")
        conn.execute(insert(s.entry_passes).from_select(
            ["return_id", "pass_no", "operator", "answers", "started_at", "saved_at", "keystrokes", "seconds"],
            select(r.c.id, literal(1), literal(operator), r.c.answers, null(), literal(at), literal(0),
                   literal(0.0)).where(r.c.id > high).order_by(r.c.id)))
        if 0 < share < 1:
            picked = [i for i in ids if sampled(self._uuid, i, share)]
            for i in range(0, len(picked), 500):
                conn.execute(update(r).where(r.c.id.in_(picked[i:i + 500])).values(needs_second=True))
        digest = staged_digest(conn.execute(
            select(staged.c.seq, staged.c.row_no, staged.c.wave_id, staged.c.participant_code, staged.c.serial,
                   staged.c.answers).where(chosen).order_by(staged.c.seq)).all())
        self._audit(conn, operator=operator, action=AuditAction.PUBLISH, entity=AuditEntity.IMPORT, key=import_id, at=at,
                    new={"rows": [start, end], "returns": [ids[0], ids[-1]], "digest": digest})
        conn.execute(update(s.imports).where(s.imports.c.id == import_id).values(published=end, heartbeat_at=at))
        return list(ids)



def _next_size(size: int, elapsed: float, seconds: float) -> int:
    """The next batch's rows, so that it takes about ``seconds`` (at most twice the last)."""
    return max(MIN_BATCH, min(MAX_BATCH, int(size * min(2.0, seconds / max(elapsed, 1e-3)))))


def _idle_seconds(since: str, now: str) -> float:
    try:
        return (datetime.fromisoformat(now) - datetime.fromisoformat(since)).total_seconds()
    except ValueError:
        return float("inf")
