"""What the scan reader relies on in a printed form: fiducials, page barcodes, box geometry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.pdf_helpers import render_page
from tui.domain.paper import FormCopy, plan_form, write_forms
from tui.domain.paper.scan_marks import RING_HOLE_MM, fiducials, form_geometry, geometry_json
from tui.domain.returns import make_serial

DPI = 200
PX = DPI / 25.4  # pixels per millimetre


@pytest.fixture(scope="module")
def printed(tmp_path_factory, printable):
    path = tmp_path_factory.mktemp("scanmarks") / "forms.pdf"
    write_forms(printable, [FormCopy("E5", make_serial(7), "2015")], path)
    return path, form_geometry(plan_form(printable))


def grey(path, index):
    return np.asarray(render_page(path, index, scale=DPI / 72))


def mean_in(image, x, y, w, h):
    """Mean grey of a rectangle given in mm from the top-left."""
    return image[int(y * PX):int((y + h) * PX), int(x * PX):int((x + w) * PX)].mean()


def test_every_statement_has_one_box_on_its_bank_page(printed, printable):
    _, geometry = printed
    placed = [s["id"] for page in geometry["pages"] for s in page["statements"]]
    assert sorted(placed) == sorted(ref.statement.id for ref in printable.refs())
    for page in geometry["pages"]:
        banks = {ref.bank.id for ref in printable.refs() if ref.statement.id in {s["id"] for s in page["statements"]}}
        assert banks <= {page["bank"]}


def test_boxes_are_printed_where_the_geometry_says(printed):
    path, geometry = printed
    for page in geometry["pages"][1:3]:
        image = grey(path, page["page"] - 1)
        for statement in page["statements"]:
            x, y, w, h = statement["box"]
            line = geometry["box_line_mm"]
            inside = mean_in(image, x + 2 * line, y + 2 * line, w - 4 * line, h - 4 * line)
            # The outline: a thin band along the top edge, centred on the stroke.
            edge = mean_in(image, x + 0.5, y - line, w - 1.0, 2 * line)
            assert inside > 250 and edge < 170, (statement["id"], inside, edge)


def test_corner_marks_are_solid_but_the_top_right_one_is_a_ring(printed, printable):
    path, geometry = printed
    image = grey(path, 1)
    for mark in geometry["fiducials"]:
        half = mark["size"] / 2
        assert mean_in(image, mark["x"] - half + 0.3, mark["y"] - half + 0.3, 0.8, 0.8) < 40
        centre = mean_in(image, mark["x"] - RING_HOLE_MM / 4, mark["y"] - RING_HOLE_MM / 4,
                         RING_HOLE_MM / 2, RING_HOLE_MM / 2)
        assert (centre > 215) == mark["ring"] == (mark["corner"] == "tr"), mark
    assert [f.ring for f in fiducials(plan_form(printable).geometry)].count(True) == 1


def test_geometry_is_plain_json_in_millimetres(printed, printable):
    _, geometry = printed
    text = geometry_json(plan_form(printable))
    assert json.loads(text) == geometry
    assert geometry["width_mm"] == pytest.approx(297, abs=0.1) and geometry["height_mm"] == pytest.approx(210, abs=0.1)
    letter = form_geometry(plan_form(printable, paper="letter"))
    assert letter["width_mm"] == pytest.approx(279.4, abs=0.1)


def test_printing_a_batch_keeps_its_geometry_with_the_wave(tmp_path, printable):
    from tui.domain.paper import issue_batch, plan_from_codes, reprint_form, rewrite_batches
    from tui.domain.store import Study

    study = Study.open(tmp_path / "s.db")
    study.add_wave("2015", printable, operator="RS")
    study.add_wave("2016", printable, operator="RS")
    assert study.form_layouts("2015") == []
    plan = plan_from_codes("E5,A2", printable.key, blank=1)
    issued = issue_batch(study, "2015", plan, operator="RS", exports=tmp_path / "exports").forms
    kept = study.form_layouts("2015")
    assert {json.loads(k.geometry)["blank"] for k in kept} == {False, True}
    assert json.loads(kept[0].geometry) == form_geometry(plan_form(printable, blank=json.loads(kept[0].geometry)["blank"]))
    reprint_form(study, "2015", issued[0].serial, operator="RS", exports=tmp_path / "exports")
    rewrite_batches(study, "2015", exports=tmp_path / "exports")
    assert study.form_layouts("2015") == kept  # the same layout is kept once
    reprint_form(study, "2015", issued[0].serial, operator="RS", exports=tmp_path / "exports", paper="letter")
    assert len(study.form_layouts("2015")) == 3 and study.form_layouts("2016") == []
    assert [e.action for e in study.audit(entity="form_layout")] == ["insert"] * 3
