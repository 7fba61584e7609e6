"""The domain never imports Textual; the app and CLI start without polars or reportlab."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys

import pytest

import tui.domain

LAZY_PACKAGES = ["tui.domain.store"]

DOMAIN_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(tui.domain.__path__, prefix="tui.domain.")
)


def loaded_after_importing(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


def test_domain_modules_are_found():
    # Guards the test itself: if discovery broke, the checks below would pass vacuously.
    assert {"tui.domain.instrument.model", "tui.domain.instrument.toml_format", "tui.domain.instrument.checks"} <= set(DOMAIN_MODULES)


def test_domain_never_imports_textual():
    loaded = loaded_after_importing(DOMAIN_MODULES)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}
    assert not {m for m in loaded if m.startswith(("tui.screens", "tui.widgets", "tui.app"))}


def test_app_and_cli_start_without_polars_reportlab_or_sqlalchemy():
    loaded = loaded_after_importing(["tui.cli", "tui.app", "tui.screens.instrument"])
    # The scan extra's libraries too: the app must start where they are not installed. SQLAlchemy and
    # the store's modules that use it wait until the app has drawn its first frame (tui/app.py).
    heavy = {m for m in loaded if m.split(".")[0] in {"polars", "reportlab", "pandas", "pyarrow", "cv2", "zxingcpp",
                                                      "pypdfium2", "PIL", "highspy", "sqlalchemy"}}
    heavy |= {m for m in loaded if m in {"tui.domain.store.study", "tui.domain.store.records",
                                         "tui.domain.store.schema", "tui.domain.store.sqlite"}}
    assert not heavy, f"imported at start-up: {sorted(heavy)[:5]}"


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_public_name_of_a_lazy_package_is_there(name):
    # A package that imports some of its public names on first use (tui/domain/lazy.py) lists them twice:
    # under TYPE_CHECKING for mypy, and for the run time. Each name it lists must resolve.
    package = importlib.import_module(name)
    assert not [n for n in package.__all__ if not hasattr(package, n)]
    typed = {alias.asname or alias.name for node in ast.walk(ast.parse(inspect.getsource(package)))
             if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
             for stmt in node.body if isinstance(stmt, ast.ImportFrom) for alias in stmt.names}
    assert typed and not typed - set(package.__all__)


def test_the_scan_package_imports_without_its_libraries():
    loaded = loaded_after_importing(["tui.domain.scan", "tui.commands.scan"])
    assert not {m for m in loaded if m.split(".")[0] in {"cv2", "zxingcpp", "pypdfium2", "PIL"}}
