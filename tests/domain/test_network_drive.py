"""An SQLite study on a network drive is refused, pointing to PostgreSQL (the filesystem type is
read from the mount table; the test gives the lookup a made-up table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.cli import main
from tui.domain.store import Study, UnsafeLocationError, study_file


def fake_mounts(tmp_path: Path, monkeypatch, kind: str, point: Path) -> None:
    table = tmp_path / "mounts"
    escaped = str(point).replace(" ", "\\040")
    table.write_text(f"/dev/vda1 / ext4 rw,relatime 0 0\nserver:/export {escaped} {kind} rw,vers=4.2 0 0\n")
    monkeypatch.setattr(study_file, "MOUNTS", table)


@pytest.mark.parametrize("kind", ["nfs4", "nfs", "cifs", "smb3", "fuse.sshfs"])
def test_a_study_on_a_network_drive_is_refused_with_the_way_out(tmp_path, monkeypatch, kind, capsys,
                                                                printable_file):
    share = tmp_path / "shared drive"
    (share / "surveys").mkdir(parents=True)
    fake_mounts(tmp_path, monkeypatch, kind, share)
    where = share / "surveys" / "study.db"
    with pytest.raises(UnsafeLocationError, match=rf"on a network drive \({kind}\).*postgresql://"):
        Study.open(where)
    assert not where.exists()
    assert main(["--study", str(where), "--instrument", str(printable_file), "wave", "add", "2014"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PostgreSQL" in err and "Traceback" not in err


def test_an_existing_study_moved_to_a_share_is_refused_untouched(tmp_path, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    Study.open(share / "study.db").close()
    stamp = (share / "study.db").read_bytes()
    fake_mounts(tmp_path, monkeypatch, "cifs", share)
    with pytest.raises(UnsafeLocationError):
        Study.open(share / "study.db")
    assert (share / "study.db").read_bytes() == stamp


def test_a_local_disk_beside_a_share_is_fine(tmp_path, monkeypatch):
    fake_mounts(tmp_path, monkeypatch, "nfs4", tmp_path / "elsewhere")
    Study.open(tmp_path / "study.db").close()
    assert study_file.filesystem_type(tmp_path / "study.db") == "ext4"


def test_the_real_mount_table_names_this_disk():
    kind = study_file.filesystem_type(Path.cwd() / "anything.db")
    assert kind is not None and kind not in study_file.NETWORK_FILESYSTEMS


def test_a_windows_network_path_is_refused():
    assert study_file.filesystem_type(Path("//fileserver/surveys/study.db")) == "unc"
