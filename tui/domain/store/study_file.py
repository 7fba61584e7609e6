"""A study file checked with Python's sqlite3 module alone, before SQLAlchemy opens it: a folder, an
unreadable or empty file, another program's file, a newer SurveyDesk's study and a network drive are
refused untouched. Apart from sqlite.py so that the app can refuse them before its first frame and
leave SQLAlchemy's import (a quarter of start-up) and the opening of the study until after it."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from tui.domain.store.errors import NewerStudyError, NotAStudyError, NotFoundError, UnsafeLocationError

SCHEMA_VERSION = 6
# PRAGMA application_id marks an SQLite file as a SurveyDesk study ("SDSK").
APPLICATION_ID = 0x5344534B

SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_untouched(path: Path, *, application_id: int = APPLICATION_ID, schema_version: int = SCHEMA_VERSION) -> None:
    """Refuse a file that is not a study, or a study of a newer schema, before anything writes to
    it: opening a study switches it to WAL and may upgrade it, which would change another program's
    file or a newer SurveyDesk's. Reads through a read-only connection (``immutable`` when the file
    is in WAL mode with no -wal file beside it, so not even a -shm file is made)."""
    with path.open("rb") as handle:
        head = handle.read(100)
    if not head:
        time.sleep(0.2)  # another station may be creating the study this instant
        with path.open("rb") as handle:
            head = handle.read(100)
        if not head:
            raise NotAStudyError(f"{path} is an empty file (0 bytes), not a study. To start a new study "
                                 "there, delete it first; the file has not been changed.")
    if head[:16] != SQLITE_HEADER:
        raise NotAStudyError(f"{path} is not a SurveyDesk study (not an SQLite database)")
    wal_mode = len(head) > 18 and head[18] == 2
    wal_file = path.with_name(path.name + "-wal")
    option = "immutable=1" if wal_mode and not wal_file.exists() else "mode=ro"
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{option}", uri=True)
    except sqlite3.Error:  # pragma: no cover - unreadable: the normal open says why
        return
    try:
        found_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = None
        if found_id == application_id and "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else None
    except sqlite3.DatabaseError as exc:
        raise NotAStudyError(f"{path} cannot be opened as a study: {exc}; the file has not been changed") from None
    finally:
        conn.close()
    if tables and (found_id != application_id or "meta" not in tables):
        raise NotAStudyError(f"{path} is an SQLite database but not a SurveyDesk study; "
                             "the file has not been changed")
    if version is not None and version > schema_version:
        raise NewerStudyError(newer_message(path, version, schema_version))


def newer_message(path: Path, version: int, schema_version: int) -> str:
    return (f"{path} was written by a newer SurveyDesk (study schema {version}; this version reads up to "
            f"{schema_version}). Upgrade SurveyDesk to open it; the file has not been changed.")


# Where Linux lists mounted filesystems; a test points it at a made-up list.
MOUNTS = Path("/proc/self/mounts")
# Filesystems whose locking SQLite cannot rely on (sqlite.org/wal.html, "How To Corrupt").
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "ncpfs", "fuse.sshfs",
                                 "davfs", "fuse.davfs2", "fuse.rclone", "glusterfs", "fuse.glusterfs"})


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem holding ``path`` (``nfs4``, ``cifs``, ``ext4``...), from the mount
    table; ``"unc"`` for a Windows network path; None where it cannot be told."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "unc"
    try:
        lines = MOUNTS.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    folder = Path(os.path.realpath(path if path.is_dir() else path.parent))
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        # Spaces and other odd characters in mount points are octal escapes (\040).
        point = Path(fields[1].encode().decode("unicode_escape"))
        if folder == point or point in folder.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return best[1] if best else None


def refuse_network_filesystem(path: Path) -> None:
    kind = filesystem_type(path)
    if kind in NETWORK_FILESYSTEMS or kind == "unc":
        raise UnsafeLocationError(
            f"{path} is on a network drive ({kind}): SQLite's locks do not work there, and two computers "
            "opening one study file over the network can corrupt it. Keep the study file on this computer's "
            "own disk (stations logged in to this computer can share it), or put the study on a PostgreSQL "
            "server so stations on several computers can key into it: --study postgresql://USER@HOST/DATABASE "
            "(README, 'Several stations').")


def check_study_file(path: Path, *, create: bool, application_id: int = APPLICATION_ID,
                     schema_version: int = SCHEMA_VERSION) -> None:
    """Refuse, without changing anything, a study file that SQLAlchemy must not open (``create``:
    a missing file is a new study, else it is refused). The versions are the schema's: a test may
    make this SurveyDesk an older one."""
    if path.is_dir():
        raise NotAStudyError(f"{path} is a folder, not a study file (give the .db file)")
    if path.exists():
        try:
            refuse_untouched(path, application_id=application_id, schema_version=schema_version)
        except OSError as exc:
            raise NotAStudyError(f"cannot read the study {path}: {exc.strerror}") from None
    elif not create:
        raise NotFoundError(f"no study at {path}; create one with `surveydesk wave add`")
    refuse_network_filesystem(path)
