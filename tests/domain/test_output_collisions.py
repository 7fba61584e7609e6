"""No output overwrites another wave's, batch's or study's file; a killed writer's partial file is
cleared by the next write. Real studies, real PDFs, real exports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.pdf_helpers import page_texts
from tui.domain.analysis import export_wave, wave_returns
from tui.domain.analysis.report_pdf import write_report
from tui.domain.paper import issue_batch, plan_from_codes, reprint_form
from tui.domain.paths import OWNER_FILE, OutputClashError, name_part, remove_stale_partials
from tui.domain.store import NewReturn, Study

ROOT = Path(__file__).resolve().parents[2]


def _answers(instrument):
    from tui.domain.returns import answers as ans

    return {bank.id: ans.BankAnswer(True, frozenset({1})) for bank in instrument.banks}


@pytest.fixture
def study(tmp_path, printable):
    with Study.open(tmp_path / "s.db") as study:
        yield study


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("names", [("Spring 2015", "Spring-2015"), ("a/b", "a-b"), (".", "..", "/")])
def test_waves_whose_names_clean_alike_never_share_a_file(tmp_path, study, printable, names):
    exports = tmp_path / "exports"
    first, *others = names
    study.add_wave(first, printable, operator="RS")
    batch = issue_batch(study, first, plan_from_codes("A1,A2,A3", printable.key), operator="RS", exports=exports)
    before = _files(exports)
    pdf = batch.files.files[0].path
    assert len(page_texts(pdf)) == 18
    for name in others:
        study.add_wave(name, printable, operator="RS")
        issue_batch(study, name, plan_from_codes("A1", printable.key), operator="RS", exports=exports)
    after = _files(exports)
    # Every file the first wave had is still there, byte for byte; the others went elsewhere.
    assert {k: after[k] for k in before} == before
    assert len(page_texts(pdf)) == 18
    folders = {p.parent for p in exports.glob(f"*/{OWNER_FILE}")}
    assert len(folders) == len(names)
    log = next(exports.rglob(f"issue-log-{name_part(first)}.csv")).read_text(encoding="utf-8")
    assert all(f.serial in log for f in batch.forms) and len(log.splitlines()) == 4


@pytest.mark.slow
def test_exports_and_reports_of_alike_names_go_to_their_own_folders(tmp_path, study, printable):
    exports = tmp_path / "exports"
    for name in ("Spring 2015", "Spring-2015"):
        study.add_wave(name, printable, operator="RS")
        study.save_returns([NewReturn(name, f"A{role}", _answers(printable)) for role in range(1, 6)], operator="RS")
    made = {}
    for name in ("Spring 2015", "Spring-2015"):
        data = wave_returns(study, name)
        result = export_wave(data, exports_dir=exports, formats=("csv",))
        report = write_report([data], exports_dir=exports)
        made[name] = (result.folder, report)
        assert json.loads((result.folder / "metadata.json").read_text())["wave"] == name
    assert made["Spring 2015"][0] != made["Spring-2015"][0]
    assert made["Spring 2015"][1] != made["Spring-2015"][1]
    assert json.loads((made["Spring 2015"][0] / "metadata.json").read_text())["wave"] == "Spring 2015"


@pytest.mark.slow
def test_another_study_with_the_same_wave_name_is_refused_before_a_serial_is_issued(tmp_path, printable):
    exports = tmp_path / "exports"
    with Study.open(tmp_path / "first.db") as first:
        first.add_wave("2015", printable, operator="RS")
        issue_batch(first, "2015", plan_from_codes("A1", printable.key), operator="RS", exports=exports)
        first.save_returns([NewReturn("2015", f"B{r}", _answers(printable)) for r in range(1, 6)], operator="RS")
        export_wave(wave_returns(first, "2015"), exports_dir=exports, formats=("csv",))
    before = _files(exports)
    with Study.open(tmp_path / "demo.db") as other:
        other.add_wave("2015", printable, operator="RS")
        other.save_returns([NewReturn("2015", f"C{r}", _answers(printable)) for r in range(1, 6)], operator="RS")
        with pytest.raises(OutputClashError, match="wave '2015' of another study .first.db."):
            issue_batch(other, "2015", plan_from_codes("A1,A2", printable.key), operator="RS", exports=exports)
        assert other.issued_forms("2015") == []  # refused before any serial was issued
        with pytest.raises(OutputClashError, match="another study"):
            export_wave(wave_returns(other, "2015"), exports_dir=exports, formats=("csv",))
        with pytest.raises(OutputClashError, match="another study"):
            write_report([wave_returns(other, "2015")], exports_dir=exports)
        # Somewhere else it is fine.
        export_wave(wave_returns(other, "2015"), exports_dir=tmp_path / "demo-exports", formats=("csv",))
    assert _files(exports) == before


@pytest.mark.slow
def test_an_export_into_a_folder_of_another_wave_is_refused(tmp_path, study, printable):
    exports = tmp_path / "exports"
    for name in ("2014", "2015"):
        study.add_wave(name, printable, operator="RS")
        study.save_returns([NewReturn(name, f"A{r}", _answers(printable)) for r in range(1, 6)], operator="RS")
    export_wave(wave_returns(study, "2014"), exports_dir=exports, folder="shared", formats=("csv",))
    before = _files(exports)
    with pytest.raises(OutputClashError, match="holds the files of wave '2014', not wave '2015'"):
        export_wave(wave_returns(study, "2015"), exports_dir=exports, folder="shared", formats=("csv",))
    assert _files(exports) == before


def test_batches_and_reprints_never_share_a_file_name(tmp_path, study, printable):
    exports = tmp_path / "exports"
    study.add_wave("2015", printable, operator="RS")
    one = issue_batch(study, "2015", plan_from_codes("A1,B2", printable.key), operator="RS", exports=exports)
    two = issue_batch(study, "2015", plan_from_codes("A3,B4", printable.key), operator="RS", exports=exports)
    names = [f.path.name for batch in (one, two) for f in batch.files.files]
    assert len(set(names)) == len(names) == 4
    assert all("-batch-1-" in n for n in names[:2]) and all("-batch-2-" in n for n in names[2:])
    first = reprint_form(study, "2015", one.forms[0].serial, operator="RS", exports=exports)
    second = reprint_form(study, "2015", one.forms[0].serial, operator="RS", exports=exports)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    pdfs = [p.name for p in exports.rglob("*.pdf")]
    assert len(pdfs) == len(set(pdfs))  # unique even if every folder were flattened into one


def test_a_writer_killed_mid_export_leaves_a_partial_that_the_next_write_removes(tmp_path, study, printable):
    exports = tmp_path / "exports"
    study.add_wave("2015", printable, operator="RS")
    study.save_returns([NewReturn("2015", f"A{r}", _answers(printable)) for r in range(1, 6)], operator="RS")
    folder = exports / "2015"
    folder.mkdir(parents=True)
    # A real writer, killed with SIGKILL while its partial file is open.
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from tui.domain.paths import write_atomically
        def slow(path):
            path.write_text("return_id,participant_code\\n1,A1\\n")
            print("writing", flush=True)
            time.sleep(60)
        write_atomically(Path({str(folder / "returns-wide-2015.csv")!r}), slow)
    """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    left = [p for p in folder.iterdir() if p.name.endswith(".partial")]
    assert len(left) == 1 and "A1" in left[0].read_text()
    live = folder / f".other.csv.{os.getpid()}-0badcafe.partial"  # a write still going on: kept
    live.write_text("x")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert left[0].exists()  # SIGKILL cannot be caught: the partial stays until the next write
    export_wave(wave_returns(study, "2015"), exports_dir=exports, formats=("csv",))
    assert not left[0].exists() and live.exists()
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial") and p != live]


def test_partial_files_of_older_versions_are_removed_too(tmp_path):
    for name in (".returns-wide-2015.csv.partial", ".forms-2015-school-A.pdf.1a2b3c4d.part"):
        (tmp_path / name).write_text("record-level data")
    (tmp_path / "keep.partial").write_text("not ours: not hidden")
    assert sorted(p.name for p in remove_stale_partials(tmp_path)) == [
        ".forms-2015-school-A.pdf.1a2b3c4d.part", ".returns-wide-2015.csv.partial"]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.partial"]
