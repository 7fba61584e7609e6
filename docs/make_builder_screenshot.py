"""Regenerate docs/images/builder.svg: the builder on the bundled survey, JPD B2 selected.

Run from the repository: ``.venv/bin/python docs/make_builder_screenshot.py``
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import make_app  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402

OUT = ROOT / "docs" / "images" / "builder.svg"


async def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)  # relative paths in the title bar
        Path("instruments").mkdir()
        shutil.copy(bundled_instrument_path(), "instruments/partnership-survey.toml")
        app = make_app(study_path="study.db", instrument_path="instruments/partnership-survey.toml")
        app.instruments_dir = Path("instruments")
        async with app.run_test(size=(132, 40)) as pilot:
            await pilot.press("f6", "g", *"JPD B2", "enter")
            await pilot.pause()
            app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
