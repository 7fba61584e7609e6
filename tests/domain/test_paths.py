from __future__ import annotations

import pytest

from tui.domain.paths import UnsafePathError, name_part, safe_name, safe_output_path


def test_inside_is_allowed(tmp_path):
    assert safe_output_path(tmp_path, "2014", "forms", "a.pdf") == (tmp_path / "2014/forms/a.pdf").resolve()


@pytest.mark.parametrize("bad", ["../x.csv", "/etc/passwd", "2014/../../x", "a/../../b"])
def test_escapes_are_refused(tmp_path, bad):
    with pytest.raises(UnsafePathError, match="outside"):
        safe_output_path(tmp_path / "exports", bad)


def test_symlink_escape_is_refused(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        safe_output_path(tmp_path / "exports", "link", "x.csv")


def test_safe_name():
    assert safe_name("Spring 2015 / wave 2") == "Spring-2015-wave-2"
    assert safe_name("../..") == "unnamed"


def test_name_part_keeps_safe_names_and_tells_others_apart():
    assert name_part("2015") == "2015" and name_part("Spring-2015") == "Spring-2015"
    parts = {name_part(n) for n in ("Spring 2015", "Spring-2015", "a/b", "a-b", ".", "..", "/", "", "unnamed")}
    assert len(parts) == 9
    assert name_part("CON") != "CON" and name_part("nul.txt").startswith("nul.txt-")  # Windows will not make these


def test_a_write_that_fails_halfway_leaves_the_old_file_and_no_partial(tmp_path):
    from tui.domain.paths import write_atomically

    target = tmp_path / "report.pdf"
    write_atomically(target, b"old")

    def half_then_fail(partial):
        partial.write_bytes(b"half a rep")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]

