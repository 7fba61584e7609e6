"""Errors the store raises; each message names what is wrong and where, for a person to act on."""

from __future__ import annotations

from tui.domain.errors import SurveyDeskError


class StoreError(SurveyDeskError):
    """Base: a request the study refused. Nothing was written."""


class NotAStudyError(StoreError):
    """The file is not a SurveyDesk study (or not SQLite at all)."""


class NewerStudyError(StoreError):
    """The study was written by a newer SurveyDesk; refusing to touch it."""


class UnknownWaveError(StoreError):
    pass


class DuplicateError(StoreError):
    """Something that must be unique already exists (a wave name, a returned serial)."""


class InputError(StoreError):
    """A code, serial or answer that does not fit the wave."""


class StaleError(StoreError):
    """Someone else changed the record since it was read; re-open it and apply the change again."""


class NotFoundError(StoreError):
    pass


class UnsafeLocationError(StoreError):
    """The study file is where SQLite cannot keep it safe (a network drive)."""
