"""``surveydesk scan`` on the files an office scanner writes: image PDFs, multi-page TIFF, PNG, JPEG."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.scan_helpers import printed_study
from tui.domain.returns import BankAnswer
from tui.domain.scan.corpus import Degradation, degrade, mark_page, render_pages
from tui.domain.store import Study

DPI = 200


def run(cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "tui", "--study", "study.db", *args], cwd=cwd,
                            capture_output=True, text=True, env={"SURVEYDESK_OPERATOR": "RS", "PATH": "/usr/bin"})
    assert result.returncode == (0 if ok else 1), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory, printable):
    """Two papers: the first ticked and crossed on every bank page; the second with a faint pencil
    tick on each and its page 3 never scanned. Written as an image PDF, a 1-bit multi-page TIFF, PNGs and a JPEG."""
    from PIL import Image

    tmp_path = tmp_path_factory.mktemp("scans")
    printed = printed_study(tmp_path, printable)
    images = render_pages(printed.pdf, DPI)
    rng = np.random.default_rng(5)
    ticked = {}
    for index, image in enumerate(images):
        page = printed.geometry["pages"][index % printed.per_copy]
        if not page["statements"]:
            continue
        first = index < printed.per_copy
        kinds = {page["statements"][0]["id"]: "tick" if first else "pencil"}
        if first:
            kinds[page["statements"][-1]["id"]] = "cross"
        ticked.update({k: v for k, v in kinds.items() if first})
        mark_page(image, page, rng, DPI, kinds)
    pages = [Image.fromarray(degrade(image, Degradation(DPI, "grey", angle=1.0, noise=3), rng)) for image in images]
    first, second = pages[:printed.per_copy], pages[printed.per_copy:]
    first[0].save(tmp_path / "mfp.pdf", save_all=True, append_images=first[1:4], resolution=DPI)
    # An office scanner's black-and-white mode thresholds (PIL's default convert("1") dithers).
    bw = [p.convert("1", dither=Image.Dither.NONE) for p in first[4:6]]
    bw[0].save(tmp_path / "late.tif", save_all=True, append_images=bw[1:], compression="group4", dpi=(DPI, DPI))
    second[0].save(tmp_path / "b-1.png")
    second[1].save(tmp_path / "b-2.jpg", quality=80)
    for k in (3, 4, 5):
        second[k].save(tmp_path / f"b-{k + 1}.png")
    Image.new("L", second[0].size, 255).save(tmp_path / "blank.png")  # a sheet that is not a form
    codes = [printed.study.issued_form(s).participant_code for s in printed.serials]
    printed.study.close()
    files = ["mfp.pdf", "late.tif", "b-1.png", "b-2.jpg", "b-4.png", "b-5.png", "b-6.png", "blank.png"]
    return tmp_path, printed, ticked, files, codes


@pytest.fixture
def scanned(made, tmp_path):
    """The made scans and a fresh copy of their study, in ``tmp_path``."""
    source, *rest = made
    for name in rest[2] + ["study.db"]:
        shutil.copy(source / name, tmp_path / name)
    return rest


@pytest.mark.slow
def test_scan_saves_the_confident_paper_and_drafts_the_other(tmp_path, scanned, printable):
    printed, ticked, files, codes = scanned
    out = run(tmp_path, "scan", *files).stdout
    assert "12 pages read: 11 identified, 1 unidentified" in out
    assert "unidentified: blank.png page 1: a blank page (the back of a sheet, scanned duplex?)" in out
    study = Study.open(tmp_path / "study.db")
    (saved,) = study.find_returns("2015")
    assert saved.serial == printed.serials[0] and saved.participant_code == codes[0]
    assert saved.passes[0].operator == "scan"
    expected = {ref.statement.id for ref in printable.refs() if ref.statement.id in ticked}
    got = {ref.statement.id for ref in printable.refs()
           if saved.answers[ref.bank.id].present and ref.running in saved.answers[ref.bank.id].marked}
    assert got == expected
    (draft,) = study.drafts()
    assert draft.serial == printed.serials[1] and draft.operator == "scan"
    scan = draft.state["scan"]
    assert scan["missing_pages"] == [3]
    bank_of_page_3 = printed.geometry["pages"][2]["bank"]
    assert scan["answers"][bank_of_page_3] == {"present": False, "marked": []}
    assert f"{printed.serials[1]} {codes[1]} wave 2015, page 3 missing" in out
    assert "draft #" in out
    assert "2 pages were scanned 1-bit (black and white): faint pencil can vanish" in out  # late.tif
    assert "held, neither saved nor drafted" not in out  # its 1-bit pages' ticks are crisp: read, not held
    assert study.form_layouts("2015")  # nothing else changed
    study.close()
    again = run(tmp_path, "scan", *files).stdout  # a second run changes nothing
    assert "already returned" in again and "already waiting as a draft" in again
    with Study.open(tmp_path / "study.db") as study:
        assert len(study.find_returns("2015")) == 1 and len(study.drafts()) == 1


@pytest.mark.slow
def test_a_page_scanned_twice_is_noticed(tmp_path, scanned):
    files = scanned[2]
    out = run(tmp_path, "scan", "--dry-run", *files, "b-1.png").stdout
    assert "scanned twice" in out and "b-1.png page 1; b-1.png page 1" in out
    with Study.open(tmp_path / "study.db") as study:
        assert study.find_returns("2015") == [] and study.drafts() == []


@pytest.mark.slow
def test_highlight_mode_refuses_a_greyscale_scan_in_one_line(tmp_path, scanned):
    result = run(tmp_path, "scan", "--mode", "highlight", "b-1.png", ok=False)
    assert result.stderr.strip().count("\n") == 0
    assert "b-1.png page 1 is a greyscale scan: highlighter ink vanishes without colour" in result.stderr


@pytest.mark.slow
def test_a_file_that_is_not_a_scan_is_refused_by_name(tmp_path, scanned):
    (tmp_path / "notes.txt").write_text("hello")
    result = run(tmp_path, "scan", "notes.txt", ok=False)
    assert "notes.txt: not a scan this reads (PDF, TIFF, PNG or JPEG)" in result.stderr
    result = run(tmp_path, "scan", "missing.pdf", ok=False)
    assert "missing.pdf: no such file" in result.stderr




@pytest.mark.slow
def test_progress_counts_every_page_and_pages_in_equal_identified_plus_unidentified(tmp_path, scanned):
    from tui.domain.scan import scan_files

    files = scanned[2]
    seen = []
    with Study.open(tmp_path / "study.db") as study:
        run = scan_files(study, [tmp_path / f for f in files], progress=lambda done, total, where: seen.append(
            (done, total)))
    assert [d for d, _ in seen] == list(range(1, 13)) and {t for _, t in seen} == {12}
    assert run.pages_in == run.identified + len(run.unidentified) == 12


@pytest.mark.slow
def test_second_keying_measures_the_reader_like_any_operator(tmp_path, scanned, bundled):
    printed, ticked, files, codes = scanned
    run(tmp_path, "scan", *files)
    with Study.open(tmp_path / "study.db") as study:
        (saved,) = study.find_returns("2015")
        answers = dict(saved.answers)
        bank = next(b for b in bundled.banks if answers[b.id].present)
        flipped = set(answers[bank.id].marked) ^ {1}
        answers[bank.id] = BankAnswer(True, frozenset(flipped))  # the second keyer reads statement 1 otherwise
        second = study.save_second_pass(saved.id, answers, operator="MK")
        (difference,) = second.discrepancies
        study.resolve(difference.id, difference.first_value, operator="RS")  # the paper agrees with the reader
    out = run(tmp_path, "operators").stdout
    scan_row = next(line for line in out.splitlines() if "scan" in line)
    mk_row = next(line for line in out.splitlines() if "MK" in line)
    assert "60" in scan_row.split("│")[7] and scan_row.split("│")[8].strip() == "0"
    assert mk_row.split("│")[8].strip() == "1"


def test_the_report_ends_with_the_held_papers_as_docs_scanning_shows():
    """The closing line of `surveydesk scan` is the one docs/scanning.md shows."""
    from tui.commands.scan import report_lines
    from tui.domain.scan import Paper, ScanRun

    papers = [Paper(f"00000{n:02d}", "2015", f"E{n}") for n in range(10, 22)]
    for paper in papers:
        paper.rescan = "page 2 is a 1-bit scan with 1 box holding only specks of a mark" if paper.serial in (
            "0000013", "0000021") else None
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scanning.md").read_text(encoding="utf-8")
    shown = docs.split("Its last line counts the held papers")[1].split("```")[1].strip()
    assert report_lines(ScanRun(papers=papers), saved=False)[-1] == shown


def test_the_report_counts_one_paper_in_the_singular():
    from tui.commands.scan import report_lines
    from tui.domain.scan import Paper, ScanRun

    one = report_lines(ScanRun(papers=[Paper("0000010", "2015", "E5")]), saved=False)[0]
    two = report_lines(ScanRun(papers=[Paper("0000010", "2015", "E5"), Paper("0000011", "2015", "E4")]),
                       saved=False)[0]
    assert "; 1 paper, " in one and "; 2 papers, " in two
