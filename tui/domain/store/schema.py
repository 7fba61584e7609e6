"""Tables of a study, in SQLAlchemy Core so the same SQL runs on SQLite and PostgreSQL.

Times are ISO 8601 UTC text. Answers are the compact text of tui.domain.returns.answers.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

# Stated with the checks that read them before SQLAlchemy is imported; given here to the SQL side.
from tui.domain.store.study_file import APPLICATION_ID as APPLICATION_ID
from tui.domain.store.study_file import SCHEMA_VERSION as SCHEMA_VERSION

metadata = MetaData()

# SQLite reuses the largest rowid once its row is deleted: a deleted return's number ("Saved
# #412", perhaps written on the paper) would go to another paper and the audit trail would hold
# two histories under one key. AUTOINCREMENT never reuses an id. The keyword is SQLite's; other
# databases ignore the option (PostgreSQL's sequences never reuse). Tables given it:
# waves, returns, entry_passes, discrepancies, audit, drafts (rebuilt for it in schema 3).

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

waves = Table(
    "waves", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("opens", String(10)),
    Column("closes", String(10)),
    Column("population", Integer),  # stated number of people asked, e.g. 68
    Column("instrument_id", String(128), nullable=False),
    Column("instrument_version", String(64), nullable=False),
    Column("instrument_toml", Text, nullable=False),  # the frozen copy this wave's data means
    Column("instrument_sha256", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(32), nullable=False),
    sqlite_autoincrement=True,
)

# The researcher's secret: letter -> school name. Never printed, never exported.
schools = Table(
    "schools", metadata,
    Column("letter", String(1), primary_key=True),
    Column("name", Text, nullable=False),
)

issued_forms = Table(
    "issued_forms", metadata,
    Column("serial", String(16), primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("wave_id", Integer, ForeignKey("waves.id"), nullable=False),
    Column("participant_code", String(2)),  # null for a blank self-coding form
    Column("school", String(1)),
    Column("role", Integer),
    Column("printed_at", String(32), nullable=False),
    Column("printed_by", String(32), nullable=False),
    Column("print_count", Integer, nullable=False, default=1),
)
Index("ix_issued_wave", issued_forms.c.wave_id, issued_forms.c.school, issued_forms.c.role)

returns = Table(
    "returns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wave_id", Integer, ForeignKey("waves.id"), nullable=False),
    Column("serial", String(16), unique=True),  # null when the form carried none
    Column("serial_issued", Boolean, nullable=False, default=False),
    Column("participant_code", String(2), nullable=False),
    Column("school", String(1), nullable=False),
    Column("role", Integer, nullable=False),
    Column("answers", Text, nullable=False),  # current accepted values
    # entered (one pass) | discrepant (passes differ, some unresolved) | verified
    Column("status", String(16), nullable=False),
    Column("needs_second", Boolean, nullable=False, default=False),
    Column("version", Integer, nullable=False, default=1),  # optimistic lock against lost updates
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_returns_wave", returns.c.wave_id, returns.c.school, returns.c.role)

entry_passes = Table(
    "entry_passes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("return_id", Integer, ForeignKey("returns.id", ondelete="CASCADE"), nullable=False),
    Column("pass_no", Integer, nullable=False),
    Column("operator", String(32), nullable=False),
    Column("answers", Text, nullable=False),  # exactly as keyed in this pass
    Column("started_at", String(32)),
    Column("saved_at", String(32), nullable=False),
    Column("keystrokes", Integer, nullable=False, default=0),
    Column("seconds", Float, nullable=False, default=0.0),
    UniqueConstraint("return_id", "pass_no", name="uq_pass"),
    sqlite_autoincrement=True,
)
Index("ix_pass_operator", entry_passes.c.operator)

discrepancies = Table(
    "discrepancies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("return_id", Integer, ForeignKey("returns.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # page | statement
    Column("bank_id", String(64), nullable=False),
    Column("code", String(32), nullable=False),
    Column("statement_id", String(128), nullable=False),
    Column("first_value", String(8), nullable=False),
    Column("second_value", String(8), nullable=False),
    Column("first_operator", String(32), nullable=False),
    Column("second_operator", String(32), nullable=False),
    Column("resolved_value", String(8)),
    Column("resolved_by", String(32)),
    Column("resolved_at", String(32)),
    Column("found_at", String(32), nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_discrepancy_return", discrepancies.c.return_id)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("operator", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # insert | update | delete | resolve | ...
    Column("entity", String(32), nullable=False),
    Column("entity_key", String(64), nullable=False),
    Column("wave", String(64)),
    Column("old", Text),  # JSON
    Column("new", Text),  # JSON
    Column("reason", Text),
    Column("hash", String(64), nullable=False),  # chains every entry to the one before it
    sqlite_autoincrement=True,
)

# Added in schema 2.
drafts = Table(
    "drafts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wave_id", Integer, ForeignKey("waves.id"), nullable=False),
    Column("operator", String(32), nullable=False),
    Column("pass_no", Integer, nullable=False, default=1),
    Column("return_id", Integer),  # the return a second pass re-keys
    Column("participant_code", String(2), nullable=False),
    Column("serial", String(16)),
    Column("state", Text, nullable=False),  # JSON: completed sections and where keying stopped
    Column("keystrokes", Integer, nullable=False, default=0),
    Column("seconds", Float, nullable=False, default=0.0),
    Column("started_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    sqlite_autoincrement=True,
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Added in schema 4: the printed geometry of a wave's forms (corner marks, tick boxes, text zones, in mm,
# as JSON written by tui.domain.paper.scan_marks), one row per distinct layout printed for the wave, so
# that scans of a wave are read with the layout its forms were printed with.
form_layouts = Table(
    "form_layouts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wave_id", Integer, ForeignKey("waves.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("geometry", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(32), nullable=False),
    UniqueConstraint("wave_id", "sha256", name="uq_form_layout"),
    sqlite_autoincrement=True,
)

# Added in schema 5. A station keying a form marks it here, so another station opening the same
# paper is told who has it ("being keyed by JS at station desk-2 since 10:14"). A claim lapses when
# its station saves, quits, or has not touched it for CLAIM_LAPSE_S; it is never study data.
claims = Table(
    "claims", metadata,
    Column("form", String(64), primary_key=True),  # "serial 0000131", "draft 12", "return 40"
    Column("operator", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("session", String(36), nullable=False),  # one open study in one running SurveyDesk
    Column("since", String(32), nullable=False),
    Column("seen_at", String(32), nullable=False),
)

# Added in schema 6: a CSV import is checked whole, staged here in short transactions, then
# published into returns in short batches (tui.domain.store.imports). The staged rows stay as the
# import's record: the audit trail holds a digest of each published batch of them.
imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("content_id", String(64), nullable=False),  # what the rows say (returns_csv.content_id)
    Column("rows", Integer, nullable=False),
    Column("staged", Integer, nullable=False, default=0),
    Column("published", Integer, nullable=False, default=0),
    Column("state", String(16), nullable=False),  # staging | publishing | done | abandoned
    Column("operator", String(32), nullable=False),
    Column("reason", Text),
    Column("started_at", String(32), nullable=False),
    Column("heartbeat_at", String(32), nullable=False),  # a live import touches it every batch
    Column("finished_at", String(32)),
    sqlite_autoincrement=True,
)

import_rows = Table(
    "import_rows", metadata,
    Column("import_id", Integer, ForeignKey("imports.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # 0, 1, ... in the file's order
    Column("row_no", Integer, nullable=False),  # the file's row (the header is row 1)
    Column("wave_id", Integer, ForeignKey("waves.id"), nullable=False),
    Column("participant_code", String(2), nullable=False),
    Column("school", String(1), nullable=False),
    Column("role", Integer, nullable=False),
    Column("serial", String(16)),
    Column("answers", Text, nullable=False),
)
Index("ix_import_rows_serial", import_rows.c.serial)

# Tables each schema version introduced; a migration creates what an older study lacks.
INTRODUCED = {
    1: ("meta", "waves", "schools", "issued_forms", "returns", "entry_passes", "discrepancies", "audit"),
    2: ("drafts", "settings"),
    4: ("form_layouts",),
    5: ("claims",),
    6: ("imports", "import_rows"),
}

# Tables each schema version rebuilt in place (keeping every row and id) for a new table option.
REBUILT = {
    3: ("waves", "returns", "entry_passes", "discrepancies", "audit", "drafts"),
}


def create_tables(conn: Connection) -> None:
    """The tables of a study created now: every table introduced up to this schema version."""
    names = [name for version, group in INTRODUCED.items() if version <= SCHEMA_VERSION for name in group]
    metadata.create_all(conn, tables=[metadata.tables[name] for name in names])
