"""The domain never imports Textual; the app and CLI start without polars or reportlab."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import tui.domain

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


def test_app_and_cli_start_without_polars_or_reportlab():
    loaded = loaded_after_importing(["tui.cli", "tui.app", "tui.screens.instrument"])
    # The scan extra's libraries too: the app must start where they are not installed.
    heavy = {m for m in loaded if m.split(".")[0] in {"polars", "reportlab", "pandas", "pyarrow", "cv2", "zxingcpp",
                                                      "pypdfium2", "PIL", "highspy"}}
    assert not heavy, f"imported at start-up: {sorted(heavy)[:5]}"


def test_the_scan_package_imports_without_its_libraries():
    loaded = loaded_after_importing(["tui.domain.scan", "tui.commands.scan"])
    assert not {m for m in loaded if m.split(".")[0] in {"cv2", "zxingcpp", "pypdfium2", "PIL"}}
