"""Where SurveyDesk may write: only inside the chosen output folder (default ``exports/``), under
names that never collide, into folders that belong to one wave of one study, a whole file at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from tui.domain.errors import SurveyDeskError

DEFAULT_EXPORTS = Path("exports")
# Beside each wave's output folder's files: which study and wave the folder belongs to.
OWNER_FILE = ".surveydesk-wave.json"
PARTIAL_SUFFIX = ".partial"
# Names Windows will not give a file, whatever the extension.
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                              *(f"LPT{n}" for n in range(1, 10))})


class UnsafePathError(SurveyDeskError):
    """A requested output path that would land outside the output folder."""


class OutputClashError(UnsafePathError):
    """An output folder that holds another wave's (or another study's) files."""


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


def name_part(text: str) -> str:
    """A file-name part that stands for ``text`` alone: the text itself when it is already a safe
    name ('2015', 'Spring-2015'), else its cleaned form and 8 hex digits of the text's SHA-256
    ('Spring 2015' -> 'Spring-2015-5d41402a'), so two different names never share a folder or file."""
    cleaned = safe_name(text)
    if cleaned == text and cleaned.split(".")[0].upper() not in WINDOWS_RESERVED:
        return cleaned
    return f"{cleaned}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def wave_folder(exports: Path | str, wave: str) -> Path:
    """``exports/<wave>``: where one wave's forms, exports and reports go (see ``name_part``)."""
    return safe_output_path(exports, name_part(wave))


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it (shorter to read), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- one folder, one wave -------------------------------------------------------------------


def claim_folder(folder: Path, wave: str, study_id: str = "", study_name: str = "") -> Path:
    """Make ``folder`` (created if need be) the output folder of ``wave`` of the study ``study_id``.

    The first writer leaves a small owner file in it; a later writer for another wave, or for the
    same wave name of another study, is refused with OutputClashError before anything is written.
    An empty ``study_id`` (a caller that does not know its study) matches any study."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / OWNER_FILE
    mine = {"wave": wave, "study": study_id, "study_file": study_name}
    for _ in range(2):
        try:
            with marker.open("x", encoding="utf-8") as handle:  # x: only one claimant can create it
                json.dump(mine, handle, ensure_ascii=False)
                handle.write("\n")
            return folder
        except FileExistsError:
            pass
        try:
            owner = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            owner = None
        if isinstance(owner, dict):
            break
        marker.unlink(missing_ok=True)  # unreadable (e.g. cut short by a crash): claim it afresh
    else:  # pragma: no cover - another process keeps re-creating an unreadable marker
        raise OutputClashError(f"{shown_path(folder)}: cannot read {OWNER_FILE}; nothing was written")
    other_study = study_id and owner.get("study") and owner["study"] != study_id
    if owner.get("wave") != wave or other_study:
        whose = (f"wave {owner.get('wave')!r} of another study"
                 + (f" ({owner['study_file']})" if owner.get("study_file") else "")
                 if other_study else f"wave {owner.get('wave')!r}")
        raise OutputClashError(
            f"{shown_path(folder)} holds the files of {whose}, not wave {wave!r}; nothing was written. "
            "Choose another exports folder (--out), or move that folder away first")
    if study_id and not owner.get("study"):
        write_atomically(marker, (json.dumps(mine, ensure_ascii=False) + "\n").encode("utf-8"))
    return folder


# --- whole files ---------------------------------------------------------------------------


def partial_path(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place: hidden, named after this process."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{PARTIAL_SUFFIX}")


def write_atomically(path: Path, content: bytes | Callable[[Path], object]) -> Path:
    """Write the whole file or leave what was there: ``content`` (bytes, or a function writing the
    file at the path it is given) goes to a hidden partial file that is then renamed into place.
    Partial files that a killed writer left in the folder are removed first. The partial file is
    flushed to disk before the rename, so a power cut leaves the old file or the new one, never an
    empty one (the one atomic write of the study: instruments, exports, forms, reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path.parent)
    partial = partial_path(path)
    try:
        if isinstance(content, bytes):
            # os.open with 0o666 lets the umask decide the permissions, as for any file the user saves.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        else:
            content(partial)
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


_PARTIAL = re.compile(r"^\..+\.(\d+)-[0-9a-f]+" + re.escape(PARTIAL_SUFFIX) + "$")
# Left by versions before the writer's process id was in the name: '.x.csv.partial', '.x.pdf.1a2b3c4d.part'.
_LEGACY_PARTIAL = re.compile(r"^\..+(\.partial|\.[0-9a-f]{8}\.part)$")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove partial files in ``folder`` whose writing process is gone (killed mid-write: they may
    hold record-level data under a hidden name). A partial of a running process is left alone."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _PARTIAL.match(name)
        if (not _running(int(match.group(1)))) if match else bool(_LEGACY_PARTIAL.match(name)):
            (folder / name).unlink(missing_ok=True)
            removed.append(folder / name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # another thread's write; or no safe way to ask
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True
