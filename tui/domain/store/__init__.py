"""The study store: the single storage API for the TUI, the CLI and the tests."""

from tui.domain.store.backend import is_server_url
from tui.domain.store.errors import (
    DuplicateError,
    InputError,
    NewerStudyError,
    NotAStudyError,
    NotFoundError,
    StaleError,
    StoreError,
    UnknownWaveError,
    UnsafeLocationError,
)
from tui.domain.store.records import (
    AuditAction,
    AuditEntity,
    AuditEntry,
    Claim,
    Discrepancy,
    Draft,
    EntryPass,
    FormLayoutRecord,
    IssuedForm,
    NewReturn,
    OperatorStats,
    ReturnRecord,
    ReturnStatus,
    SavedReturn,
    Wave,
)
from tui.domain.store.study import (
    CLAIM_LAPSE_S,
    DEFAULT_SETTINGS,
    Study,
    check_operator,
    claim_key,
    default_operator,
    station_name,
)

__all__ = [
    "AuditAction", "AuditEntity", "ReturnStatus", "CLAIM_LAPSE_S", "DEFAULT_SETTINGS", "AuditEntry", "Claim", "CsvImportError", "Discrepancy", "Draft", "DuplicateError", "EntryPass", "FormLayoutRecord", "InputError",
    "IssuedForm", "NewReturn", "NewerStudyError", "NotAStudyError", "NotFoundError", "OperatorStats", "ReturnRecord",
    "SavedReturn", "StaleError", "Study", "StoreError", "UnknownWaveError", "UnsafeLocationError", "Wave", "check_operator", "claim_key", "default_operator", "is_server_url", "import_returns_csv", "station_name", "wide_to_csv_frame",
]
