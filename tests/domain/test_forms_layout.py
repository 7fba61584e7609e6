"""The planned form: every statement placed once, nothing colliding, nothing off the page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.pdf_helpers import page_texts, squash
from tui.domain.instrument import Bank, Section, Statement
from tui.domain.paper import (
    MARGIN,
    REGULAR,
    FormCopy,
    FormLayout,
    FormLayoutError,
    Rule,
    Text,
    paragraphs,
    plan_form,
    stage_label_mentions,
    unprintable_characters,
    wrap,
    write_forms,
)
from tui.domain.returns import make_serial

LONG = ("Staff across the partnership plan, teach and review lessons together, and the review of each "
        "lesson is written up so that colleagues in other schools can learn from what worked and what did "
        "not, and can try the same approach with their own classes in the following term.")


def stress_bank(bank: Bank, per_section: int = 9) -> Bank:
    """A bank far too long for one page: a triple rubric and many long statements."""
    sections = tuple(
        Section(letter, tuple(Statement(f"{bank.id}.s{letter}{n}", f"{letter}{n} {LONG}")
                              for n in range(1, per_section + 1)))
        for letter in "ABCD"
    )
    return replace(bank, rubric="\n\n".join([bank.rubric] * 3), sections=sections)


@pytest.fixture(scope="module")
def stressed(printable):
    return replace(printable, banks=(stress_bank(printable.banks[0]),) + printable.banks[1:])


def text_box(item: Text) -> tuple[float, float, float, float]:
    return item.left, item.y - 0.22 * item.size, item.left + item.width, item.y + 0.78 * item.size


def assert_nothing_collides_or_leaves_the_page(layout: FormLayout) -> None:
    geo = layout.geometry
    header_rule = geo.height - MARGIN - 50
    footer_rule = MARGIN + 52
    for page in layout.pages:
        texts = [item for item in page.items if isinstance(item, Text)]
        columns = [item for item in page.items if isinstance(item, Rule) and item.x1 == item.x2]
        boxes = [text_box(t) for t in texts]
        for (x0, y0, x1, y1), text in zip(boxes, texts, strict=True):
            where = f"page {page.number}: {text.text!r}"
            assert MARGIN - 0.01 <= x0 and x1 <= geo.width - MARGIN + 0.01, where
            assert MARGIN <= y0 and y1 <= geo.height - MARGIN, where
            # Body text stays between the header and footer rules; frame text stays outside them.
            assert y0 >= footer_rule or y1 <= footer_rule, where
            assert y0 >= header_rule or y1 <= header_rule, where
            for rule in columns:  # no text runs across a column boundary
                if y1 > rule.y2 and y0 < rule.y1:
                    assert not (x0 < rule.x1 < x1), where
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                assert not overlap, f"page {page.number}: text overlaps at {a} and {b}"


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("blank", [False, True])
def test_bundled_form_fits_without_collisions(bundled, paper, blank):
    layout = plan_form(bundled, paper=paper, blank=blank)
    assert [p.kind for p in layout.pages] == ["cover"] + ["bank"] * (layout.page_count - 1)
    assert_nothing_collides_or_leaves_the_page(layout)


def test_each_bank_starts_a_page_and_every_statement_is_placed_once_in_order(bundled):
    layout = plan_form(bundled)
    placed = [sid for page in layout.pages for sid in page.statement_ids]
    assert sorted(placed) == sorted(ref.statement.id for ref in bundled.refs())
    assert [p.bank_id for p in layout.pages if not p.continued and p.kind == "bank"] == [b.id for b in bundled.banks]


def test_a_long_bank_continues_on_further_pages(stressed):
    layout = plan_form(stressed)
    jpd = layout.pages_of_bank("jpd")
    assert len(jpd) >= 3
    assert [p.continued for p in jpd] == [False] + [True] * (len(jpd) - 1)
    placed = [sid for page in jpd for sid in page.statement_ids]
    for letter in "ABCD":  # each section continues in order, nothing dropped or repeated
        assert [s for s in placed if f".s{letter}" in s] == [f"jpd.s{letter}{n}" for n in range(1, 10)]
    assert_nothing_collides_or_leaves_the_page(layout)
    assert_nothing_collides_or_leaves_the_page(plan_form(stressed, paper="letter", blank=True))


def test_continued_pages_print_every_statement_with_its_number(tmp_path, stressed):
    result = write_forms(stressed, [FormCopy("A1", make_serial(5), "2015")], tmp_path / "long.pdf")
    texts = page_texts(result.path)
    layout = plan_form(stressed)
    for page in layout.pages_of_bank("jpd")[1:]:
        assert "Joint Practice Development (JPD), continued" in texts[page.number - 1]
    for page in layout.pages:
        for sid in page.statement_ids:
            ref = stressed.ref_by_id(sid)
            assert squash(f"{ref.position}. {ref.statement.text}") in squash(texts[page.number - 1]), ref.code


def test_a_statement_too_long_for_any_page_is_named(bundled):
    huge = Statement("jpd.99", " ".join(["word"] * 3000))
    bank = bundled.banks[0]
    sections = (replace(bank.sections[0], statements=bank.sections[0].statements + (huge,)),) + bank.sections[1:]
    broken = replace(bundled, banks=(replace(bank, sections=sections),) + bundled.banks[1:])
    with pytest.raises(FormLayoutError, match=r"statement JPD A4 is too long to fit on one page"):
        plan_form(broken)


def test_characters_the_font_cannot_print_are_named(bundled):
    bank = bundled.banks[1]
    odd = replace(bank.sections[0].statements[0], text="Trust \u2265 reciprocity \u4e2d \u0915 capital")
    sections = (replace(bank.sections[0], statements=(odd,) + bank.sections[0].statements[1:]),) + bank.sections[1:]
    broken = replace(bundled, banks=(bundled.banks[0], replace(bank, sections=sections)) + bundled.banks[2:])
    assert unprintable_characters(broken) == [("HSC A1", "\u0915\u4e2d")]  # '≥' is in the font
    with pytest.raises(FormLayoutError, match="HSC A1: the form's font cannot print"):
        plan_form(broken)
    assert unprintable_characters(bundled) == []  # en dashes and quotes are fine


def test_the_font_prints_all_of_latin_extended(bundled):
    # Latin-1, Latin Extended-A and -B, Latin Extended Additional (Vietnamese, Welsh ẁ ẃ ẅ ỳ);
    # the font lacks only the four medieval letters U+1EFC-1EFF at the end of that block.
    latin = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x1E00, 0x1EFC)])
    assert unprintable_characters(replace(bundled, title=latin)) == []


def test_wrap_never_overflows_and_cuts_only_words_wider_than_the_line():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = "see https://example.org/" + "x" * 120 + " for more"
    lines = wrap(text, REGULAR, 9.5, 100)
    assert all(stringWidth(line, REGULAR, 9.5) <= 100 for line in lines)
    assert squash("".join(lines)) == squash(text)
    assert lines[0] == "see" and lines[-1].endswith("for more")
    assert wrap("Short words stay whole.", REGULAR, 9.5, 1000) == ["Short words stay whole."]


def test_paragraphs_bullets_and_headings():
    paras = paragraphs("Because:\n- one\n- two\nAfter.\n\nInstructions for Completion\n\nMany thanks,",
                       headings=True)
    assert [(p.text, p.bullet, p.heading) for p in paras] == [
        ("Because:", False, False), ("one", True, False), ("two", True, False), ("After.", False, False),
        ("Instructions for Completion", False, True), ("Many thanks,", False, False)]
    assert [p.gap_before > 3 for p in paras] == [False, False, False, False, True, True]


def test_long_titles_wrap_or_shrink_without_collisions(bundled):
    long_title = "The Partnership Survey of Collaborating Primary and Secondary Schools in the Northern Federation"
    bank = replace(bundled.banks[0], title="Joint Practice Development across every school of the federation "
                   "and its partner teaching schools, with external partners", dimension="Professional " * 20)
    titled = replace(bundled, title=long_title * 2, banks=(bank,) + bundled.banks[1:])
    for paper in ("A4", "letter"):
        layout = plan_form(titled, paper=paper, blank=True)
        assert_nothing_collides_or_leaves_the_page(layout)
        header = next(item for item in layout.pages[0].items if isinstance(item, Text))
        assert header.text.endswith("\u2026") and header.size == 7.0


def test_wording_that_would_give_a_stage_away_is_found(bundled):
    assert stage_label_mentions(bundled) == []  # 'leading to a growing sense' is not the label
    bank = bundled.banks[2]
    loud = replace(bank.sections[1].statements[0], text="Leading schools share their Embedding plans.")
    sections = (bank.sections[0], replace(bank.sections[1], statements=(loud,))) + bank.sections[2:]
    leaky = replace(bundled, banks=bundled.banks[:2] + (replace(bank, sections=sections),) + bundled.banks[3:])
    assert stage_label_mentions(leaky) == [("CMP B1", "Leading"), ("CMP B1", "Embedding")]
