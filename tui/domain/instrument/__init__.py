"""The instrument: banks, sections A-D with hidden stage labels, statements and their codes;
its TOML file format, validation, editing and versions, and the respondent's view of it.
"""

from __future__ import annotations

from .builder_model import FLAG, KEY_HEADINGS, LINES, PARAGRAPH, Field, Target
from .bundled import bundled_instrument_path, default_instrument_path
from .checks import check_instrument, incomplete_refusal
from .diff import diff_instruments, summary_line
from .edit import EditError, EditHistory, edit_instrument, next_version, skeleton
from .model import (
    DEFAULT_STAGES,
    MAX_BANK_STATEMENTS,
    SECTION_LETTERS,
    Bank,
    Instrument,
    ParticipantCode,
    ParticipantCodeError,
    ParticipantKey,
    Role,
    RoleGroup,
    School,
    Section,
    Statement,
    StatementRef,
)
from .problems import InstrumentError, Problem
from .respondent_view import render_bank_page
from .toml_format import (
    dumps_instrument,
    load_instrument,
    parse_instrument,
    problems_with_lines,
    read_instrument_text,
    save_instrument,
)

__all__ = ["Bank", "DEFAULT_STAGES", "EditError", "EditHistory", "FLAG", "Field", "Instrument", "InstrumentError", "KEY_HEADINGS", "LINES", "MAX_BANK_STATEMENTS", "PARAGRAPH", "ParticipantCode", "ParticipantCodeError", "ParticipantKey", "Problem", "Role", "RoleGroup", "SECTION_LETTERS", "School", "Section", "Statement", "StatementRef", "Target", "bundled_instrument_path", "check_instrument", "default_instrument_path", "diff_instruments", "dumps_instrument", "edit_instrument", "load_instrument", "next_version", "incomplete_refusal", "parse_instrument", "problems_with_lines", "read_instrument_text", "render_bank_page", "save_instrument", "skeleton", "summary_line"]
