"""Where SurveyDesk may write: only inside the chosen output folder (default ``exports/``)."""

from __future__ import annotations

import re
from pathlib import Path

from tui.domain.errors import SurveyDeskError

DEFAULT_EXPORTS = Path("exports")


class UnsafePathError(SurveyDeskError):
    """A requested output path that would land outside the output folder."""


def safe_output_path(base: Path | str, *parts: str | Path) -> Path:
    """``base/parts...`` resolved, refusing anything that escapes ``base`` (``..``, absolute, links)."""
    root = Path(base).resolve()
    target = root.joinpath(*[Path(p) for p in parts]).resolve()
    if target != root and root not in target.parents:
        shown = Path(*[str(p) for p in parts]) if parts else Path(".")
        raise UnsafePathError(f"{shown} would be written outside {root}; choose a path inside it")
    return target


def safe_name(text: str) -> str:
    """A file-name component from free text such as a wave name ('2014', 'Spring 2015')."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip("-.")
    return cleaned or "unnamed"


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it (shorter to read), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
