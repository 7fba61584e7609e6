"""Start-up: from a fresh interpreter to the first frame of the app at 80x24 on the demo study,
beside a bare Textual app (a header and a footer) measured the same way.

    python bench/startup_bench.py [--repeat N]

Each run is a new process: the clock starts before the interpreter does and stops when the
app's first screen has been laid out and drawn (headless, App.run_test at 80x24). The demo
study is built once beforehand (surveydesk demo --no-open), so its build is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402

FIRST_FRAME = """
import asyncio, sys, time
{make}
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen._compositor.render_strips()  # the first frame, drawn
        print(time.time())
asyncio.run(main())
"""

SURVEYDESK = """
from tui.app import make_app
app = make_app(study_path=sys.argv[1], operator="RS")
"""

BARE = """
from textual.app import App
from textual.widgets import Footer, Header
class Bare(App):
    def compose(self):
        yield Header()
        yield Footer()
app = Bare()
"""


def once(make: str, study: Path) -> float:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME.format(make=make), str(study)], capture_output=True,
                         text=True, check=True, cwd=study.parent)
    return float(out.stdout.strip().splitlines()[-1]) - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        study = Path(folder) / "demo.db"
        subprocess.run([sys.executable, "-m", "tui", "--study", str(study), "demo", "--no-open"], check=True,
                       capture_output=True, cwd=folder)
        once(SURVEYDESK, study)  # warm the file cache and the .pyc files
        desk = [once(SURVEYDESK, study) for _ in range(args.repeat)]
        bare = [once(BARE, study) for _ in range(args.repeat)]
    print(f"start-up to the first frame at 80x24, {args.repeat} runs each ({describe()})")
    print(f"  SurveyDesk on the demo study: median {statistics.median(desk):.2f} s "
          f"(min {min(desk):.2f}, max {max(desk):.2f}); target < 0.5 s")
    print(f"  bare Textual app (header, footer): median {statistics.median(bare):.2f} s "
          f"(min {min(bare):.2f}, max {max(bare):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
