"""Regenerate docs/images/terminal-chart.svg, docs/images/report-page.png and
docs/images/analysis-screen.svg (the TUI's analysis screen, drawn by the app) from synthetic returns.

    python docs/make_analysis_images.py      (needs pdftoppm from poppler-utils)
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from tui.domain.analysis.agreement import WaveReturns, compare_waves, group_chart, wave_chart  # noqa: E402
from tui.domain.analysis.disclosure import wave_release  # noqa: E402
from tui.domain.analysis.report_pdf import write_report  # noqa: E402
from tui.domain.analysis.tables import released_statements  # noqa: E402
from tui.domain.analysis.textchart import describe, render_bar_chart  # noqa: E402
from tui.domain.demo.synthetic import new_returns, synthetic_returns  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.store import Study  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    instrument = load_instrument(bundled_instrument_path())
    first = WaveReturns("2014", instrument, synthetic_returns(instrument, 31, wave="2014", seed=7), population=68)
    second = WaveReturns("2015", instrument, synthetic_returns(instrument, 49, wave="2015", seed=8, lift=0.06),
                         population=68)
    tables = [released_statements(w, ("role_group",), wave_release(w, 5)) for w in (first, second)]

    console = Console(record=True, width=86, force_terminal=True, color_system="truecolor", file=io.StringIO())
    by_group = group_chart(tables[0], "JPD", ["HD", "SLT", "T"], grouping="role_group")
    for line in render_bar_chart(by_group, width=86, height=12, focus=8):
        console.print(line)
    console.print(describe(by_group, 8))
    console.print()
    paired = wave_chart(compare_waves(*tables), "JPD", "Overall")
    for line in render_bar_chart(paired, width=86, height=10):
        console.print(line)
    IMAGES.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(IMAGES / "terminal-chart.svg"), title="SurveyDesk analysis: JPD by group, 2014/2015")

    with tempfile.TemporaryDirectory() as folder:
        made = datetime(2015, 7, 1, 9, 0, tzinfo=UTC)
        pdf = write_report([first], exports_dir=folder, now=made, k=5)
        prefix = Path(folder) / "page"
        subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-f", "2", "-l", "2", "-r", "72", "-png",
                        "-singlefile", str(pdf), str(prefix)], check=True)
        shutil.copy(f"{prefix}.png", IMAGES / "report-page.png")
    asyncio.run(screen_image([first, second], IMAGES / "analysis-screen.svg"))
    for name in ("terminal-chart.svg", "report-page.png", "analysis-screen.svg"):
        print(f"{IMAGES / name}: {(IMAGES / name).stat().st_size // 1024} KB")


async def screen_image(waves: list[WaveReturns], target: Path) -> None:
    """The analysis screen on a study holding these waves: JPD, 2014 against 2015, focus on JPD B1."""
    from tui.app import make_app

    home = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # a relative study path, so the title bar names no temporary folder
        try:
            with Study.open("study.db") as study:
                for data in waves:
                    study.add_wave(data.wave, data.instrument, operator="RS", population=data.population)
                    study.save_returns(new_returns(data.wide, data.instrument), operator="RS")
            app = make_app(study_path="study.db", operator="RS")
            async with app.run_test(size=(110, 36)) as pilot:
                await pilot.press("f5")
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.press("c")
                await app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.press("right", "right", "right")
                await pilot.pause()
                app.save_screenshot(target.name, str(target.parent))
        finally:
            os.chdir(home)


if __name__ == "__main__":
    main()
