"""Make docs/images/scan-read.png and scan-review.svg with the real reader and the real app.

    python docs/make_scan_images.py

A throw-away study in a temp folder: one form printed, its bank pages marked (ticks, a cross, a
fill, and two marks the reader cannot be sure of: a faint short stroke and a filled box struck
through), scanned at 200 dpi with a little skew, read by `surveydesk scan`'s code; then the
review screen is driven with Pilot at 80x24.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import make_app  # noqa: E402
from tui.domain.demo import demo_instrument  # noqa: E402  (its HSC A5 finished, as real forms need)
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.paper import issue_batch, plan_from_codes  # noqa: E402
from tui.domain.scan import record_run, scan_files  # noqa: E402
from tui.domain.scan.corpus import Degradation, degrade, mark_page, render_pages  # noqa: E402
from tui.domain.scan.reader import _project, find_corner_marks, read_page, register  # noqa: E402
from tui.domain.store import Study  # noqa: E402

IMAGES = ROOT / "docs" / "images"
DPI = 200


def make_scans(folder: Path) -> list[Path]:
    import json

    import cv2
    import numpy as np

    instrument = demo_instrument(load_instrument(bundled_instrument_path()))
    with Study.open(folder / "study.db") as study:
        study.add_wave("2015", instrument, operator="RS")
        result = issue_batch(study, "2015", plan_from_codes("E5", instrument.key), operator="RS",
                             exports=folder / "exports")
        pdf = result.files.files[0].path
        geometry = json.loads(study.form_layouts("2015")[0].geometry)
    rng = np.random.default_rng(2)
    files = []
    px = DPI / 25.4
    for index, image in enumerate(render_pages(pdf, DPI)):
        page = geometry["pages"][index]
        ids = [s["id"] for s in page["statements"]]
        if ids:
            kinds = {ids[0]: "tick", ids[-1]: "cross", ids[len(ids) // 2]: "fill"}
            if index == 1:
                kinds[ids[11]] = "cancel"
                kinds[ids[2]] = "tick"
            mark_page(image, page, rng, DPI, kinds)
            if index == 1:  # a faint short stroke in one box: the reader cannot be sure
                x, y, w, h = (v * px for v in page["statements"][5]["box"])
                cv2.line(image, (int(x + 0.45 * w), int(y + 0.35 * h)), (int(x + 0.6 * w), int(y + 0.6 * h)), 175, 2)
        scan = degrade(image, Degradation(DPI, "jpeg", scale=0.98, angle=1.2, noise=4, quality=80), rng)
        path = folder / f"scan-{index + 1}.png"
        cv2.imwrite(str(path), scan)
        files.append(path)
    return files


def annotate(folder: Path, scan: Path) -> None:
    """What the reader saw on the first bank page: every box coloured by what it decided."""
    import json

    import cv2

    with Study.open(folder / "study.db") as study:
        geometry = json.loads(study.form_layouts("2015")[0].geometry)
    grey = cv2.imread(str(scan), cv2.IMREAD_GRAYSCALE)
    reading = read_page(scan.name, 1, grey, "grey", lambda s, p: (geometry, None))
    out = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    marks = find_corner_marks(grey, max(grey.shape) / 290)
    (homography, scale, _), _ = register(marks, geometry, max(grey.shape) / 290)
    for blob in marks.values():
        cv2.circle(out, (int(blob.x), int(blob.y)), int(blob.side), (200, 120, 0), 3)
    for statement, mark in zip(geometry["pages"][reading.page - 1]["statements"], reading.marks, strict=True):
        x, y, w, h = statement["box"]
        cx, cy = _project(homography, x + w / 2, y + h / 2)
        colour = (0, 140, 255) if not mark.accepted else (0, 160, 0) if mark.state == "marked" else (160, 160, 160)
        r = int(w * scale * 0.9)
        cv2.rectangle(out, (int(cx - r), int(cy - r)), (int(cx + r), int(cy + r)), colour, 3)
    cv2.imwrite(str(IMAGES / "scan-read.png"), cv2.resize(out, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))


async def shoot() -> None:
    app = make_app(study_path="study.db", operator="JS")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("f11")
        await pilot.pause()
        app.save_screenshot(str(IMAGES / "scan-review.svg"))


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # a relative study path keeps temp folder names out of the pictures
        folder = Path(".")
        files = make_scans(folder)
        with Study.open(folder / "study.db") as study:
            run = scan_files(study, files)
            record_run(study, run)
            print(f"{run.pages_in} pages, {run.marks} statements, {run.uncertain} for the clerk")
        annotate(folder, files[1])
        asyncio.run(shoot())
    for name in ("scan-read.png", "scan-review.svg"):
        print(IMAGES / name)


if __name__ == "__main__":
    main()
