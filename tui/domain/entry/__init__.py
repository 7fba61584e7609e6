"""Heads-down keying: the keystroke grammar of a paper form and the entry session around it
(first and second keying, resolution, edits, drafts). No Textual.
"""

from __future__ import annotations

from .keying import (
    IDLE_CAP_S,
    MISSING_KEY,
    EntryForm,
    KeyingError,
    KeyMeter,
    Slot,
    code_refusal,
    format_section,
    line_refusal,
    parse_section,
    section_refusal,
    serial_refusal,
    typed_positions,
    walk,
    wave_name_refusal,
)
from .session import (
    MODE_TITLES,
    DeleteJob,
    DiscardDraftJob,
    DraftJob,
    EntrySession,
    Job,
    Mode,
    Outcome,
    ResolveJob,
    SaveJob,
    saved_message,
)

__all__ = ["DeleteJob", "DiscardDraftJob", "DraftJob", "EntryForm", "EntrySession", "IDLE_CAP_S", "Job", "KeyMeter", "KeyingError", "MISSING_KEY", "MODE_TITLES", "Mode", "Outcome", "ResolveJob", "SaveJob", "Slot", "code_refusal", "format_section", "line_refusal", "parse_section", "saved_message", "section_refusal", "serial_refusal", "typed_positions", "walk", "wave_name_refusal"]
