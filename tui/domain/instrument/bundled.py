"""Where the bundled Partnership Survey lives, in a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

BUNDLED_NAME = "partnership-survey.toml"
_PACKAGE = Path(__file__).resolve().parents[2]  # tui/


def bundled_instrument_path() -> Path:
    # A wheel carries a copy inside the package (see pyproject's force-include);
    # a source checkout or editable install reads instruments/ at the top of the repo.
    for candidate in (_PACKAGE / "bundled" / BUNDLED_NAME,
                      _PACKAGE.parent / "instruments" / BUNDLED_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"bundled instrument {BUNDLED_NAME} is missing from this installation")


def default_instrument_path(cwd: Path | None = None) -> Path:
    """The researcher's own copy in ./instruments/ wins over the bundled one."""
    local = (cwd or Path.cwd()) / "instruments" / BUNDLED_NAME
    return local if local.is_file() else bundled_instrument_path()
