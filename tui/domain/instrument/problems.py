"""Problems found in an instrument or an input file, each naming what and where."""

from __future__ import annotations

from dataclasses import dataclass

from tui.domain.errors import SurveyDeskError

ERROR = "error"
WARNING = "warning"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    message: str
    path: Path = ()
    severity: str = ERROR
    file: str = ""
    line: int = 0
    where: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        # line 0: the file as a whole (missing, unreadable), so no line to point at
        located = f"{self.file}:{self.line}: " if self.line > 0 else f"{self.file}: "
        prefix = located if self.file else (f"{self.where}: " if self.where else "")
        tag = "" if self.is_error else "warning: "
        return f"{prefix}{tag}{self.message}"


class InstrumentError(SurveyDeskError):
    """An instrument that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error] or problems
        super().__init__("\n".join(str(p) for p in errors))
