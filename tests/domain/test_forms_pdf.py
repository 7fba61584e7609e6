"""Printed forms, read back as text, rendered, and scanned."""

from __future__ import annotations

import csv
import re
import subprocess
from dataclasses import replace
from datetime import datetime

import pytest
from pypdf import PdfReader

from tests.pdf_helpers import everything_in, page_texts, read_barcodes, render_page, squash
from tests.requires import require_command
from tui.domain.instrument import DEFAULT_STAGES, School
from tui.domain.paper import (
    MARGIN,
    MARKING_LINES,
    SPECIMEN_SERIAL,
    Box,
    FormCopy,
    FormLayoutError,
    FormsError,
    IssueLogRow,
    ReturnDetails,
    Text,
    code_boxes,
    forms_folder,
    issue_log_name,
    output_file,
    plan_form,
    reprint_name,
    school_forms_name,
    specimen_name,
    write_forms,
    write_issue_log_csv,
    write_issue_log_pdf,
    write_sample_form,
    write_school_forms,
)
from tui.domain.paths import UnsafePathError
from tui.domain.returns import (
    SerialError,
    make_page_code,
    make_serial,
    normalise_serial,
    parse_page_code,
    parse_serial,
)

COPIES = [FormCopy("E5", make_serial(1), "2015"), FormCopy("a2", make_serial(2), "2015"),
          FormCopy("C3", make_serial(3), "2015")]
SECRET_NAMES = ("Thornfield Primary", "St Aldhelm's CE Academy", "Marsh Lane Juniors", "Eastwood Infants",
                "Brookside School")


def stage_words(labels) -> re.Pattern:
    """Whole words, case-sensitive: statement text says 'leading to a growing sense'."""
    return re.compile(r"\b(" + "|".join(re.escape(label) for label in sorted(labels)) + r")\b")


@pytest.fixture(scope="module")
def coded(tmp_path_factory, printable):
    path = tmp_path_factory.mktemp("forms") / "coded.pdf"
    result = write_forms(printable, COPIES, path)
    return result, page_texts(path), plan_form(printable)


def copy_pages(texts: list[str], per_copy: int, index: int) -> list[str]:
    return texts[index * per_copy:(index + 1) * per_copy]


def test_result_counts_pages_and_bytes(coded):
    result, texts, layout = coded
    assert result.pages_per_copy == layout.page_count >= 6  # cover + one page at least per bank
    assert result.pages == len(texts) == 3 * layout.page_count
    assert result.bytes == result.path.stat().st_size


def test_every_statement_and_its_number_is_on_its_bank_page(coded, printable):
    _, texts, layout = coded
    page_of = {sid: page for page in layout.pages for sid in page.statement_ids}
    assert set(page_of) == {ref.statement.id for ref in printable.refs()}
    for index in range(len(COPIES)):
        pages = copy_pages(texts, layout.page_count, index)
        for ref in printable.refs():
            plan = page_of[ref.statement.id]
            assert plan.bank_id == ref.bank.id
            text = squash(pages[plan.number - 1])
            assert squash(f"{ref.position}. {ref.statement.text}") in text, ref.code
            assert squash(f"{ref.bank.title} ({ref.bank.abbreviation})") in text


def test_bank_pages_head_their_columns_a_to_d_and_carry_the_rubric(coded, printable):
    _, texts, layout = coded
    for bank in printable.banks:
        first = layout.pages_of_bank(bank.id)[0]
        lines = texts[first.number - 1].splitlines()
        assert [line for line in lines if line in "ABCD" and line] == ["A", "B", "C", "D"]
        if bank.rubric:
            assert squash(bank.rubric.replace("- ", "")) in squash(texts[first.number - 1])


def test_cover_carries_the_instructions_and_no_key(coded, printable):
    _, texts, _ = coded
    assert squash(printable.instructions) in squash(texts[0])
    assert "Participant School" not in texts[0]  # the self-coding line is for blank forms only


def test_no_stage_label_appears_anywhere(coded, printable):
    result, texts, _ = coded
    pattern = stage_words(set(DEFAULT_STAGES.values()) | printable.stage_labels())
    assert not pattern.findall("\n".join(texts))
    assert not pattern.findall(everything_in(result.path))
    # Case matters: statement text says 'leading to a growing sense'; the label is 'Leading'.
    assert re.search(r"\bleading\b", "\n".join(texts))


def test_custom_stage_labels_never_appear(tmp_path, printable):
    labels = {"A": "Emergent", "B": "Establishing", "C": "Enriching", "D": "Exemplary"}
    banks = (replace(printable.banks[0], stages={"C": "Flourishing"}),) + printable.banks[1:]
    custom = replace(printable, stages=labels, banks=banks)
    assert custom.stage_labels() == set(labels.values()) | {"Flourishing"}
    result = write_forms(custom, COPIES[:1], tmp_path / "custom.pdf")
    sample = write_sample_form(custom, tmp_path / "sample.pdf", blank=True)
    pattern = stage_words(custom.stage_labels() | set(DEFAULT_STAGES.values()))
    for path in (result.path, sample.path):
        assert not pattern.findall("\n".join(page_texts(path)))
        assert not pattern.findall(everything_in(path))


def test_every_page_carries_code_role_serial_wave_and_page_number(coded, printable):
    _, texts, layout = coded
    total = layout.page_count
    for index, copy in enumerate(COPIES):
        role = printable.key.role_label(int(copy.participant_code[1]))
        for number, text in enumerate(copy_pages(texts, total, index), start=1):
            words = text.split()
            assert copy.participant_code.upper() in words
            assert role in text.splitlines()  # the office can tell whom each form is for
            assert f"Serial {copy.serial}" in text
            assert "Wave 2015" in text
            assert f"Page {number} of {total}" in text


def test_both_barcodes_scan_as_the_serial_and_page(coded):
    result, _, layout = coded
    per_copy = layout.page_count
    # The cover of the second copy and the last bank page of the third.
    for index, (copy, page) in ((per_copy, (1, 1)), (3 * per_copy - 1, (2, per_copy))):
        found = read_barcodes(render_page(result.path, index))
        assert found == [(make_page_code(COPIES[copy].serial, page), "Code128")] * 2
        assert parse_page_code(found[0][0]) == (COPIES[copy].serial, page)
        assert normalise_serial(found[0][0]) == COPIES[copy].serial  # a wedge scanner at entry


def test_a_rendered_page_is_not_blank(coded, tmp_path):
    from PIL import Image

    require_command("pdftoppm", "poppler-utils; .ci/run installs it")
    result, _, _ = coded
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "2", "-l", "2", "-singlefile", str(result.path),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    assert width > height  # landscape
    dark = sum(image.histogram()[:128]) / (width * height)
    assert 0.01 < dark < 0.5


WELSH = "Mae\u2019r ysgol yn rhannu arfer d\u0175r a th\u0177 gyda\u2019r partneriaid."


def test_welsh_w_and_y_with_circumflex_are_printed_and_read_back(tmp_path, printable):
    bank = printable.banks[0]
    first = replace(bank.sections[0].statements[0], text=WELSH)
    sections = (replace(bank.sections[0], statements=(first,) + bank.sections[0].statements[1:]),) + bank.sections[1:]
    welsh = replace(printable, instructions="Diolch yn fawr: ŵ ŷ Ŵ Ŷ.", banks=(replace(bank, sections=sections),)
                    + printable.banks[1:])
    result = write_forms(welsh, COPIES[:1], tmp_path / "welsh.pdf")
    texts = page_texts(result.path)
    assert "ŵŷŴŶ" in squash(texts[0])
    assert squash(f"1. {WELSH}") in squash(texts[1])
    assert "\u0175" in texts[1] and "\u0177" in texts[1]


def test_every_font_is_an_embedded_subset(coded):
    result, _, _ = coded
    reader = PdfReader(result.path)
    fonts = {}
    for page in reader.pages[:6]:
        for form in page["/Resources"]["/XObject"].values():
            for font in form.get_object().get("/Resources", {}).get("/Font", {}).values():
                font = font.get_object()
                fonts[font["/BaseFont"]] = font
    assert fonts and "Helvetica" not in everything_in(result.path)  # no unembedded standard font
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSansCondensed(-Bold|-Oblique)?", name), name  # subset tag
        assert "/FontFile2" in font["/FontDescriptor"], name  # the TrueType program is in the file


def test_blank_form_asks_the_respondent_to_self_code(tmp_path, printable):
    result = write_forms(printable, [FormCopy(None, make_serial(7), "2015")], tmp_path / "blank.pdf")
    texts = page_texts(result.path)
    cover = squash(texts[0])
    assert "ParticipantSchoolABCDE" in cover
    assert "ParticipantRole1Governor2HTorDHT3SeniorLeader4MiddleLeader5Teacher" in cover
    assert "Pleasedeleteasappropriate" in cover
    for number, text in enumerate(texts, start=1):
        assert not re.search(r"\b[A-E][1-5]\b", text)  # no participant code printed
        assert f"Serial {make_serial(7)}" in text and f"Page {number} of {len(texts)}" in text


def test_blank_form_without_a_serial_has_no_barcode(tmp_path, printable):
    result = write_forms(printable, [FormCopy(None, None, "2015")], tmp_path / "blank.pdf")
    assert "Serial" not in "\n".join(page_texts(result.path))
    assert read_barcodes(render_page(result.path, 1)) == []


def test_paper_sizes(tmp_path, printable):
    letter = write_forms(printable, COPIES[:1], tmp_path / "letter.pdf", paper="letter")
    a4 = write_forms(printable, COPIES[:1], tmp_path / "a4.pdf")
    assert {tuple(round(float(v)) for v in p.mediabox[2:]) for p in PdfReader(letter.path).pages} == {(792, 612)}
    assert {tuple(round(float(v)) for v in p.mediabox[2:]) for p in PdfReader(a4.path).pages} == {(842, 595)}
    with pytest.raises(FormLayoutError, match="paper 'A3' is not known"):
        write_forms(printable, COPIES[:1], tmp_path / "a3.pdf", paper="A3")


def test_school_names_never_appear(tmp_path, printable):
    schools = tuple(School(s.letter, name) for s, name in zip(printable.key.schools, SECRET_NAMES, strict=True))
    named = replace(printable, key=replace(printable.key, schools=schools))
    rows = [IssueLogRow(c.serial, c.participant_code, c.participant_code[0].upper(), c.wave, "2015-01-12")
            for c in COPIES]
    written = [
        write_forms(named, COPIES, tmp_path / "coded.pdf").path,
        write_forms(named, [FormCopy(None, make_serial(9), "2015")], tmp_path / "blank.pdf").path,
        write_sample_form(named, tmp_path / "sample.pdf").path,
        *(r.path for r in write_school_forms(named, {"A": COPIES[1:2]}, tmp_path, wave="2015").values()),
        write_issue_log_pdf(rows, tmp_path / "log.pdf"),
        write_issue_log_csv(rows, tmp_path / "log.csv"),
    ]
    for path in written:
        content = path.read_text("latin-1") if path.suffix == ".csv" else everything_in(path)
        content += "\n".join(page_texts(path)) if path.suffix == ".pdf" else ""
        for name in SECRET_NAMES:
            assert name not in content and squash(name) not in squash(content), (path.name, name)


def test_specimen_is_marked_and_its_serial_is_refused_at_entry(tmp_path, printable):
    result = write_sample_form(printable, tmp_path / "specimen.pdf", paper="letter")
    texts = page_texts(result.path)
    assert result.copies == 1 and len(texts) == result.pages_per_copy
    assert all("SPECIMEN" in text for text in texts)
    scanned = read_barcodes(render_page(result.path, 0))[0]
    assert scanned == (make_page_code(SPECIMEN_SERIAL, 1), "Code128")
    for text in (SPECIMEN_SERIAL, scanned[0]):
        with pytest.raises(SerialError, match="not a serial SurveyDesk issues"):
            parse_serial(text)


def test_reprint_says_so_on_every_page(tmp_path, printable):
    copies = [FormCopy("B2", make_serial(40), "2015", reprint=True), FormCopy("B3", make_serial(41), "2015")]
    result = write_forms(printable, copies, tmp_path / "reprint.pdf")
    texts = page_texts(result.path)
    per_copy = result.pages_per_copy
    assert all("REPRINT" in text for text in texts[:per_copy])
    assert not any("REPRINT" in text for text in texts[per_copy:])


def test_mixed_blank_and_coded_copies(tmp_path, printable):
    copies = [FormCopy("A1", make_serial(1), "2015"), FormCopy(None, make_serial(2), "2015")]
    result = write_forms(printable, copies, tmp_path / "mixed.pdf")
    coded_pages = plan_form(printable).page_count
    blank_pages = plan_form(printable, blank=True).page_count
    assert result.pages == coded_pages + blank_pages == len(page_texts(result.path))


@pytest.mark.parametrize(
    ("copy", "message"),
    [
        (FormCopy("F1", make_serial(1), "2015"), r"form 2: participant code F1: school F is not in the key"),
        (FormCopy("A9", make_serial(1), "2015"), r"form 2: .*role 9 is not in the key"),
        (FormCopy("A1", "0000014", "2015"), r"form 2: serial 0000014 fails its check digit"),
        (FormCopy("A1", make_serial(1), "  "), r"form 2: the wave is empty"),
        (FormCopy("A1", make_serial(1), "2015"), r"form 2: serial 0000013 is already on form 1"),
    ],
)
def test_bad_copies_are_refused_and_nothing_is_written(tmp_path, printable, copy, message):
    target = tmp_path / "out.pdf"
    with pytest.raises(FormsError, match=message):
        write_forms(printable, [COPIES[0], copy], target)
    assert list(tmp_path.iterdir()) == []


def test_no_copies_is_refused(tmp_path, printable):
    with pytest.raises(FormsError, match="no forms to print"):
        write_forms(printable, [], tmp_path / "out.pdf")


def test_a_failed_write_leaves_the_previous_file(tmp_path, printable):
    target = tmp_path / "forms.pdf"
    first = write_forms(printable, COPIES[:1], target)
    before = target.read_bytes()
    with pytest.raises(FormsError):
        write_forms(printable, [FormCopy("Z9", make_serial(1), "2015")], target)
    assert target.read_bytes() == before and first.bytes == len(before)
    assert [p.name for p in tmp_path.iterdir()] == ["forms.pdf"]  # no temporary file left behind


# --- where files go ---------------------------------------------------------------------


def test_forms_go_to_the_wave_forms_folder_with_predictable_names(tmp_path, printable):
    exports = tmp_path / "exports"
    folder = forms_folder(exports, "Spring 2015")
    # A name that is not a safe file name as it stands gets a hash of itself: no other wave shares it.
    assert folder == (exports / "Spring-2015-63e4f6b7" / "forms").resolve()
    assert forms_folder(exports, "Spring-2015") == (exports / "Spring-2015" / "forms").resolve()
    results = write_school_forms(printable, {"A": [FormCopy("A1", make_serial(1), "Spring 2015")],
                                           "B": [FormCopy("B4", make_serial(2), "Spring 2015")], "C": []},
                                 folder, wave="Spring 2015", batch=2)
    assert sorted(p.name for p in folder.iterdir()) == ["forms-Spring-2015-63e4f6b7-batch-2-school-A.pdf",
                                                         "forms-Spring-2015-63e4f6b7-batch-2-school-B.pdf"]
    assert set(results) == {"A", "B"}
    assert school_forms_name("2015", "A", 1) == "forms-2015-batch-1-school-A.pdf"
    assert issue_log_name("2015", "csv") == "issue-log-2015.csv"
    assert reprint_name("Spring-2015", "0010429", 2) == "reprint-Spring-2015-0010429-print-2.pdf"
    assert specimen_name(printable, "letter") == "specimen-partnership-survey-2015-letter.pdf"


@pytest.mark.parametrize("name", ["../forms.pdf", "/tmp/forms.pdf", "a/../../forms.pdf"])
def test_output_paths_that_escape_the_folder_are_refused(tmp_path, name):
    folder = forms_folder(tmp_path / "exports", "2015")
    with pytest.raises(UnsafePathError, match="outside"):
        output_file(folder, name)


def test_a_wave_name_cannot_lead_out_of_the_exports_folder(tmp_path):
    exports = (tmp_path / "exports").resolve()
    for wave in ("../..", "/etc", "2015/../../x"):
        assert exports in forms_folder(exports, wave).parents


# --- issue log --------------------------------------------------------------------------


def issue_rows(count: int) -> list[IssueLogRow]:
    printed = datetime(2015, 1, 12, 9, 30)
    return [IssueLogRow(make_serial(n), f"{'ABCDE'[n % 5]}{n % 5 + 1}", "ABCDE"[n % 5], "2015", printed,
                        reprint=n == 3) for n in range(1, count + 1)]


def test_issue_log_csv(tmp_path):
    rows = issue_rows(4)
    path = write_issue_log_csv(rows, tmp_path / "log.csv")
    with path.open(newline="") as handle:
        read = list(csv.DictReader(handle))
    assert read[0] == {"serial": make_serial(1), "participant_code": "B2", "school": "B", "wave": "2015",
                       "printed_at": "2015-01-12 09:30:00", "reprint": "no"}
    assert [r["reprint"] for r in read] == ["no", "no", "yes", "no"]


def test_issue_log_pdf_lists_every_form_over_several_pages(tmp_path):
    rows = issue_rows(120)
    path = write_issue_log_pdf(rows, tmp_path / "log.pdf", title="Issue log: wave 2015")
    texts = page_texts(path)
    assert len(texts) >= 3
    assert all(f"Page {n} of {len(texts)}" in text and "Serial" in text for n, text in enumerate(texts, 1))
    joined = "\n".join(texts)
    assert all(row.serial in joined for row in rows)
    assert joined.count("yes") == 1


def test_progress_counts_copies_across_schools(tmp_path, printable):
    seen: list[tuple[int, int]] = []
    write_school_forms(printable, {"A": COPIES[1:2], "C": COPIES[2:], "E": COPIES[:1]}, tmp_path, wave="2015",
                       progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_school_batch_holding_another_schools_form_writes_nothing(tmp_path, printable):
    with pytest.raises(FormsError, match="school B, form 2: participant code A2 belongs to school A"):
        write_school_forms(printable, {"A": COPIES[1:2], "B": [FormCopy("B1", make_serial(8), "2015"), COPIES[1]]},
                           tmp_path, wave="2015")
    assert list(tmp_path.iterdir()) == []


def test_a_keyed_serial_is_printed_in_its_canonical_form(tmp_path, printable):
    spaced = make_serial(77)[:3] + " " + make_serial(77)[3:]
    result = write_forms(printable, [FormCopy("A1", spaced, "2015")], tmp_path / "f.pdf")
    assert f"Serial {make_serial(77)}" in page_texts(result.path)[0]


def test_importing_the_forms_modules_does_not_load_reportlab():
    from tests.domain.test_import_hygiene import loaded_after_importing

    loaded = loaded_after_importing(["tui.domain.paper.forms_pdf", "tui.domain.paper.forms_layout"])
    assert "tui.domain.paper.forms_pdf" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "reportlab"}



# --- the cover: return details, sign-off, measure (issue 16) -----------------------------

RETURNS = ReturnDetails("2015-01-30", "to your headteacher, in the sealed envelope provided",
                        "A. Researcher, a.researcher@example.ac.uk, 020 7946 0000")
SIGN_OFF = "A. Researcher\nEdD student, UCL Institute of Education"


def test_the_cover_says_by_when_how_and_whom_to_ask_and_is_signed(tmp_path, printable):
    signed = replace(printable, sign_off=SIGN_OFF)
    result = write_forms(signed, [COPIES[0], FormCopy(None, make_serial(9), "2015", school="C")],
                         tmp_path / "c.pdf", returns=RETURNS)
    texts = page_texts(result.path)
    for cover in (texts[0], texts[result.pages_per_copy]):  # coded and blank covers alike
        flat = squash(cover)
        assert squash("Please return this form by Friday 30 January 2015 to your headteacher, in the sealed "
                      "envelope provided.") in flat
        assert squash("Questions about the survey: A. Researcher, a.researcher@example.ac.uk, 020 7946 0000") in flat
        assert squash("Many thanks, A. Researcher EdD student, UCL Institute of Education") in flat
    assert len(texts) == 2 * 6  # all of it still on one cover page


def test_a_cover_without_return_details_prints_no_empty_box(tmp_path, printable):
    texts = page_texts(write_forms(printable, COPIES[:1], tmp_path / "c.pdf").path)
    assert "Please return" not in texts[0] and "Questions about" not in texts[0]
    partial = write_forms(printable, COPIES[:1], tmp_path / "p.pdf", returns=ReturnDetails(contact="R. Smith"))
    assert "Questions about the survey: R. Smith" in page_texts(partial.path)[0]


def test_the_letter_is_set_in_two_columns_of_a_readable_measure(printable):
    cover = plan_form(printable).pages[0]
    letter = [t for t in cover.items if isinstance(t, Text) and t.size == 10.0 and t.y < 480]
    assert len({round(t.x) for t in letter if t.text[0].isupper()}) >= 2  # two column starts
    assert max(len(t.text) for t in letter) <= 85  # was ~150 characters across the page
    assert max(t.width for t in letter) <= (cover.items[0].x + 770) / 2


# --- bank pages: the marking line, larger type (issue 16) ---------------------------------


def test_every_bank_page_says_how_to_mark_and_prints_the_boxes_it_mentions(tmp_path, printable):
    result = write_forms(printable, COPIES[:1], tmp_path / "tick.pdf")
    texts = page_texts(result.path)
    for page in plan_form(printable).pages[1:]:
        assert squash(MARKING_LINES["tick"]) in squash(texts[page.number - 1])
        ticks = [item.statement_id for item in page.items if isinstance(item, Box) and item.statement_id]
        assert ticks == list(page.statement_ids)  # one box per statement, in order
    highlight = replace(printable, marking="highlight")
    result = write_forms(highlight, COPIES[:1], tmp_path / "highlight.pdf")
    texts = page_texts(result.path)
    for page in plan_form(highlight).pages[1:]:
        assert squash(MARKING_LINES["highlight"]) in squash(texts[page.number - 1])
        assert "Tick" not in texts[page.number - 1]
        assert not [item for item in page.items if isinstance(item, Box)]  # nothing to tick


def test_a_tick_box_is_printed_where_the_layout_puts_it(tmp_path, printable):
    result = write_forms(printable, COPIES[:1], tmp_path / "f.pdf")
    page = plan_form(printable).pages[3]  # CMP: larger boxes
    box = next(item for item in page.items if isinstance(item, Box) and item.statement_id)
    scale = 4.0
    image = render_page(result.path, page.number - 1, scale=scale)
    height = page.number and image.size[1]

    def grey(x: float, y: float) -> int:
        return image.getpixel((round(x * scale), round(height - y * scale)))

    assert grey(box.x, box.y + box.height / 2) < 100  # the left edge is inked
    assert grey(box.x + box.width / 2, box.y + box.height / 2) > 200  # the inside is blank


def test_short_banks_are_set_larger_and_every_bank_keeps_to_one_page(printable):
    layout = plan_form(printable)
    assert [p.kind for p in layout.pages] == ["cover"] + ["bank"] * 5 and not any(p.continued for p in layout.pages)
    sizes = {}
    for page in layout.pages[1:]:
        numbers = [t.size for t in page.items if isinstance(t, Text) and re.fullmatch(r"\d+\.", t.text)]
        sizes[page.bank_id] = set(numbers)
    # The long JPD keeps the standard size; the half-empty pages of the short banks do not.
    assert sizes == {"jpd": {9.5}, "hsc": {10.5}, "cmp": {11.5}, "ec": {11.5}, "aa": {11.5}}


# --- blank forms for a school (issue 16) ----------------------------------------------------


def test_a_blank_form_for_a_school_prints_its_letter_and_leaves_only_the_role(tmp_path, printable):
    copies = [FormCopy(None, make_serial(7), "2015", school="c"), FormCopy(None, make_serial(8), "2015")]
    result = write_forms(printable, copies, tmp_path / "blank.pdf")
    texts = page_texts(result.path)
    for_c, for_none = texts[:result.pages_per_copy], texts[result.pages_per_copy:]
    assert "ParticipantSchoolCParticipantRole1Governor2HTorDHT" in squash(for_c[0])
    assert "ParticipantSchoolABCDE" in squash(for_none[0])
    for text in for_c:
        assert "Writeyourrolenumberinthebox" in squash(text) and "C" in text.split()
    for text in for_none:
        assert "Writeyourschoolletterandrolenumberintheboxes" in squash(text)
    with pytest.raises(FormsError, match="form 1: school Q is not in the key"):
        write_forms(printable, [FormCopy(None, make_serial(7), "2015", school="Q")], tmp_path / "q.pdf")


def test_the_code_boxes_of_a_blank_form_stand_clear_of_the_header_rule(printable):
    layout = plan_form(printable, blank=True, school="C")
    rule = layout.geometry.height - MARGIN - 50
    for box in code_boxes(layout.geometry):
        assert box.y == rule + 6  # a frame 2 pt above the rule looked like a double line
        assert box.y + box.height <= layout.geometry.height - MARGIN
    for page in layout.pages:
        assert sum(1 for item in page.items if isinstance(item, Box) and item.width == 28.0) == 2


def test_the_issue_log_footer_counts_forms_and_reprints_apart(tmp_path):
    rows = issue_rows(5)  # serial 3 is a reprint
    text = page_texts(write_issue_log_pdf(rows, tmp_path / "log.pdf"))[0]
    assert "4 forms issued, 1 reprint" in text
    text = page_texts(write_issue_log_pdf(rows[:1], tmp_path / "one.pdf"))[0]
    assert "1 form issued" in text and "reprint" not in text.split("Page")[0].split("issued")[-1]
