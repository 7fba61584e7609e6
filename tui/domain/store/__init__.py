"""The study store: the single storage API for the TUI, the CLI and the tests."""

from tui.domain.store.errors import (
    DuplicateError,
    InputError,
    NewerStudyError,
    NotAStudyError,
    NotFoundError,
    StaleError,
    StoreError,
    UnknownWaveError,
)
from tui.domain.store.records import (
    AuditEntry,
    Discrepancy,
    Draft,
    EntryPass,
    FormLayoutRecord,
    IssuedForm,
    NewReturn,
    OperatorStats,
    ReturnRecord,
    SavedReturn,
    Wave,
)
from tui.domain.store.study import DEFAULT_SETTINGS, Study, check_operator

__all__ = [
    "DEFAULT_SETTINGS", "AuditEntry", "CsvImportError", "Discrepancy", "Draft", "DuplicateError", "EntryPass", "FormLayoutRecord", "InputError",
    "IssuedForm", "NewReturn", "NewerStudyError", "NotAStudyError", "NotFoundError", "OperatorStats", "ReturnRecord",
    "SavedReturn", "StaleError", "Study", "StoreError", "UnknownWaveError", "Wave", "check_operator", "import_returns_csv", "wide_to_csv_frame",
]
