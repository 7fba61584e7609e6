"""A scanning run on pages whose form the study cannot lay out: listed with the reason, never a crash."""

from __future__ import annotations

import sqlite3

from tests.scan_helpers import printed_study
from tui.domain.scan import scan_files
from tui.domain.scan.corpus import render_pages
from tui.domain.store import Study


def test_pages_of_forms_printed_before_layouts_were_kept_are_listed_unidentified(tmp_path, printable):
    """A study upgraded from before schema 4 kept no layouts for its printed forms: their pages are
    read (serial and page known) but cannot be measured, so they are listed with the reason."""
    from PIL import Image

    printed = printed_study(tmp_path, printable, codes="E5")
    Image.fromarray(render_pages(printed.pdf, 150)[1]).save(tmp_path / "page-2.png")
    printed.study.close()
    with sqlite3.connect(tmp_path / "study.db") as conn:
        conn.execute("DELETE FROM form_layouts")
    with Study.open(tmp_path / "study.db") as study:
        run = scan_files(study, [tmp_path / "page-2.png"])
    assert run.papers == []
    (page,) = run.unidentified
    assert page.problem is not None and "keeps no printed layout" in page.problem
    assert run.pages_in == run.identified + len(run.unidentified) == 1


def test_a_page_of_a_form_this_study_never_issued_is_listed_not_dropped(tmp_path, printable):
    """A form from another study reads as a serial, but not one of ours: the page is counted and
    listed with the reason (pages in = identified + unidentified), not silently left out."""
    from PIL import Image

    printed = printed_study(tmp_path / "other", printable, codes="E5")
    Image.fromarray(render_pages(printed.pdf, 150)[1]).save(tmp_path / "page-2.png")
    printed.study.close()
    with Study.open(tmp_path / "ours.db") as study:
        run = scan_files(study, [tmp_path / "page-2.png"])
    (page,) = run.unidentified
    assert page.problem == f"serial {printed.serials[0]} was never issued in this study"
    assert run.pages_in == run.identified + len(run.unidentified) == 1
