"""The study store: the single storage API for the TUI, the CLI and the tests.

Importing the package imports no SQLAlchemy: the names from the modules that use it (the Study, its
records) are imported on first use (tui/domain/lazy.py), so the app draws its first frame first.
"""

from typing import TYPE_CHECKING

from tui.domain.lazy import lazy_exports
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
from tui.domain.store.stations import check_operator, default_operator, station_name
from tui.domain.store.study_file import check_study_file

if TYPE_CHECKING:
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
    from tui.domain.store.returns_csv import CsvImportError, import_returns_csv, wide_to_csv_frame
    from tui.domain.store.study import CLAIM_LAPSE_S, DEFAULT_SETTINGS, Study, claim_key

__getattr__ = lazy_exports(globals(), {
    "records": ("AuditAction", "AuditEntity", "AuditEntry", "Claim", "Discrepancy", "Draft", "EntryPass",
                "FormLayoutRecord", "IssuedForm", "NewReturn", "OperatorStats", "ReturnRecord", "ReturnStatus",
                "SavedReturn", "Wave"),
    "returns_csv": ("CsvImportError", "import_returns_csv", "wide_to_csv_frame"),
    "study": ("CLAIM_LAPSE_S", "DEFAULT_SETTINGS", "Study", "claim_key"),
})

__all__ = [
    "AuditAction", "AuditEntity", "AuditEntry", "check_operator", "check_study_file", "Claim", "claim_key",
    "CLAIM_LAPSE_S", "CsvImportError", "default_operator", "DEFAULT_SETTINGS", "Discrepancy", "Draft",
    "DuplicateError", "EntryPass", "FormLayoutRecord", "import_returns_csv", "InputError", "is_server_url",
    "IssuedForm", "NewerStudyError", "NewReturn", "NotAStudyError", "NotFoundError", "OperatorStats",
    "ReturnRecord", "ReturnStatus", "SavedReturn", "StaleError", "station_name", "StoreError", "Study",
    "UnknownWaveError", "UnsafeLocationError", "Wave", "wide_to_csv_frame",
]
