"""Start-up: from a fresh interpreter to the first frame of the app at 80x24 on the demo study,
beside a bare Textual app (a header and a footer) measured the same way.

    python bench/startup_bench.py [--repeat N]

Each run is a new process: the clock starts before the interpreter does and stops when the first
complete frame is written (headless, App.run_test at 80x24): the first time the app hands the
terminal a frame whose bottom row, the footer, is drawn. The app opens an SQLite study after that
frame (tui/app.py), so the bench also prints when the app is first idle with its study open (what
this bench timed before the opening moved after the first frame). The demo study is built once
beforehand (surveydesk demo --no-open), so its build is not counted.
"""

from __future__ import annotations

import argparse
import os
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
from textual.app import App
first_frame = []
display = App._display
def timed_display(self, screen, update):
    # The footer is composed last: the first frame with its row drawn is the first complete one.
    if update is not None and not first_frame and screen._compositor.render_strips()[-1].text.strip():
        first_frame.append(time.time())
    display(self, screen, update)
App._display = timed_display
{make}
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen._compositor.render_strips()
        print(first_frame[0], time.time())  # the first frame; idle, with the study open
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


def once(make: str, study: Path) -> tuple[float, float]:
    """Seconds to the first complete frame, and to the app's first idle moment."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME.format(make=make), str(study)], capture_output=True,
                         text=True, check=True, cwd=study.parent)
    frame, idle = map(float, out.stdout.strip().splitlines()[-1].split())
    return frame - started, idle - started


def line(label: str, seconds: list[float]) -> str:
    return f"  {label}: median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        study = Path(folder) / "demo.db"
        subprocess.run([sys.executable, "-m", "tui", "--study", str(study), "demo", "--no-open"], check=True,
                       capture_output=True, cwd=folder)
        once(SURVEYDESK, study)  # warm the file cache and the .pyc files
        # Taken in turns, so that a change in the machine's load falls on both alike.
        runs = [(once(SURVEYDESK, study), once(BARE, study)) for _ in range(args.repeat)]
    desk, bare = [desk for desk, _ in runs], [bare for _, bare in runs]
    ratio = statistics.median(d[0] for d in desk) / statistics.median(b[0] for b in bare)
    print(f"start-up to the first frame at 80x24, {args.repeat} runs each ({describe()}; "
          f"load average {os.getloadavg()[0]:.2f})")
    print(line("SurveyDesk on the demo study, first frame", [d[0] for d in desk]) + "; target < 0.5 s")
    print(line("SurveyDesk, first idle with the study open", [d[1] for d in desk]))
    print(line("bare Textual app (header, footer), first frame", [b[0] for b in bare]))
    print(f"  SurveyDesk's first frame / the bare app's: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
