from __future__ import annotations

import pytest

from tui.domain.paths import UnsafePathError, safe_name, safe_output_path


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
