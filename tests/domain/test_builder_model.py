"""The builder without its screen: targets, fields, and what each key does (pure domain)."""

from __future__ import annotations

import pytest

from tui.domain.instrument import EditError, check_instrument, skeleton
from tui.domain.instrument import builder_model as bm

T = bm.Target


def names(fields):
    return [f.name for f in fields]


def test_fields_for_each_kind(bundled):
    assert names(bm.fields_for(bundled, bm.ROOT)) == [
        "title", "version", "id", "stage_A", "stage_B", "stage_C", "stage_D", "instructions", "sign_off", "marking", "note"]
    bank = bm.fields_for(bundled, T(bm.BANK, "jpd"))
    assert names(bank)[:4] == ["abbreviation", "title", "dimension", "rubric"]
    override = next(f for f in bank if f.name == "override_C")
    assert override.value == "" and override.placeholder == "Embedding (as for all banks)"
    assert names(bm.fields_for(bundled, T(bm.SECTION, "jpd", "C"))) == ["stage_C", "override_C"]
    statement = bm.fields_for(bundled, T(bm.STATEMENT, "jpd.2"))
    assert [(f.name, f.style, f.value) for f in statement][:2] == [
        ("text", bm.PARAGRAPH, "Staff development is not seen as a high priority in the school."),
        ("negative", bm.FLAG, True)]
    assert names(bm.fields_for(bundled, T(bm.SCHOOL, index=0))) == ["letter", "name"]
    assert bm.read_field(bundled, T(bm.ROLE, index=3), "label") == "Middle Leader"
    assert bm.read_field(bundled, T(bm.GROUP, index=0), "roles") == "1 2"
    assert bm.fields_for(bundled, T(bm.KEY)) == []


def test_write_field_edits_and_labels(bundled):
    out = bm.write_field(bundled, T(bm.STATEMENT, "jpd.5"), "text", "New words")
    assert out.instrument.find("JPD B2").statement.text == "New words" and out.label == "reword JPD B2"
    out = bm.write_field(bundled, T(bm.SECTION, "jpd", "C"), "override_C", "Consolidating")
    assert out.instrument.find("JPD C1").stage == "Consolidating"
    out = bm.write_field(bundled, bm.ROOT, "stage_A", "Starting")
    assert out.instrument.find("AA A1").stage == "Starting"
    out = bm.write_field(bundled, T(bm.ROLE, index=3), "digit", "7")
    assert out.instrument.key.groups[2].roles == (7, 5)
    out = bm.write_field(bundled, T(bm.GROUP, index=0), "roles", "1, 2, 3")
    assert out.instrument.key.groups[0].roles == (1, 2, 3)
    with pytest.raises(EditError, match="one digit"):
        bm.write_field(bundled, T(bm.ROLE, index=0), "digit", "")


def test_a_new_bank_takes_its_id_from_its_abbreviation_until_saved(bundled):
    added = bm.add(bundled, T(bm.BANK, "aa"))
    assert added.target == T(bm.BANK, "new")
    fixed = bundled.all_ids()
    out = bm.write_field(added.instrument, added.target, "abbreviation", "ldr", fixed_ids=fixed)
    assert out.target == T(bm.BANK, "ldr") and out.instrument.banks[-1].abbreviation == "LDR"
    # a saved bank keeps its id whatever it is called
    out = bm.write_field(bundled, T(bm.BANK, "jpd"), "abbreviation", "JPX", fixed_ids=fixed)
    assert out.target == T(bm.BANK, "jpd") and out.instrument.banks[0].abbreviation == "JPX"


def test_add_puts_the_natural_thing_next_to_the_selection(bundled):
    assert bm.add(bundled, bm.ROOT).instrument.banks[-1].id == "new"
    out = bm.add(bundled, T(bm.SECTION, "jpd", "B"))
    assert out.target == T(bm.STATEMENT, "jpd.14") and out.instrument.find("JPD B5").statement.id == "jpd.14"
    out = bm.add(bundled, T(bm.STATEMENT, "jpd.4"))
    assert out.instrument.find("JPD B2").statement.id == "jpd.14" and out.label == "add statement JPD B2"
    out = bm.add(bundled, T(bm.KEY))
    assert out.target == T(bm.SCHOOL, index=5) and out.instrument.key.school_letters[-1] == "F"
    out = bm.add(bundled, T(bm.ROLE, index=1))
    assert out.target == T(bm.ROLE, index=2) and out.instrument.key.roles[2].digit == 6
    out = bm.add(bundled, T(bm.GROUPS))
    assert out.target == T(bm.GROUP, index=3)


def test_delete_moves_the_selection_to_a_neighbour(bundled):
    out = bm.delete(bundled, T(bm.STATEMENT, "jpd.3"))
    assert out.target == T(bm.STATEMENT, "jpd.2")  # last of A: the one before
    out = bm.delete(bundled, T(bm.STATEMENT, "jpd.1"))
    assert out.target == T(bm.STATEMENT, "jpd.2")  # the next one takes its place
    out = bm.delete(bundled, T(bm.BANK, "aa"))
    assert out.target == T(bm.BANK, "ec")
    one = bm.delete(bundled, T(bm.STATEMENT, "cmp.1"))
    one = bm.delete(one.instrument, T(bm.STATEMENT, "cmp.2"))
    assert one.target == T(bm.SECTION, "cmp", "A")  # the section is empty now
    last = skeleton()
    last = bm.add(last, bm.ROOT)
    assert bm.delete(last.instrument, last.target).target == bm.ROOT
    out = bm.delete(bundled, T(bm.GROUP, index=2))
    assert out.target == T(bm.GROUP, index=1)
    for target, message in [(T(bm.SECTION, "jpd", "A"), "always has sections"), (bm.ROOT, "cannot be deleted")]:
        with pytest.raises(EditError, match=message):
            bm.delete(bundled, target)


def test_duplicate_move_negative(bundled):
    out = bm.duplicate(bundled, T(bm.STATEMENT, "jpd.2"))
    assert out.target == T(bm.STATEMENT, "jpd.14") and out.label == "duplicate JPD A2 as JPD A3"
    assert bm.duplicate(bundled, T(bm.BANK, "cmp")).target == T(bm.BANK, "cmp2")
    with pytest.raises(EditError):
        bm.duplicate(bundled, T(bm.SCHOOL, index=0))
    out = bm.move(bundled, T(bm.STATEMENT, "jpd.3"), 1)
    assert out.label == "move JPD A3 -> JPD B1"
    out = bm.move(bundled, T(bm.SCHOOL, index=0), 1)
    assert out.target == T(bm.SCHOOL, index=1) and out.instrument.key.school_letters[:2] == ("B", "A")
    out = bm.move_to_section(bundled, T(bm.STATEMENT, "hsc.13"), -1)
    assert out.label == "move HSC C3 -> HSC B6"
    assert bm.toggle_negative(bundled, T(bm.STATEMENT, "jpd.1")).instrument.find("JPD A1").statement.negative
    for action in (lambda: bm.move(bundled, T(bm.SECTION, "jpd", "A"), 1),
                   lambda: bm.move_to_section(bundled, T(bm.BANK, "jpd"), 1),
                   lambda: bm.toggle_negative(bundled, T(bm.BANK, "jpd"))):
        with pytest.raises(EditError):
            action()


def test_codes_to_targets_and_moves_to_a_code(bundled):
    assert bm.find_code(bundled, "jpd c2") == T(bm.STATEMENT, "jpd.9")
    assert bm.find_code(bundled, "JPD 8") == T(bm.STATEMENT, "jpd.8")
    assert bm.find_code(bundled, "e&c") == T(bm.BANK, "ec")
    assert bm.find_code(bundled, "HSC b") == T(bm.SECTION, "hsc", "B")
    with pytest.raises(EditError, match="no bank"):
        bm.find_code(bundled, "XYZ A1")
    out = bm.move_to_code(bundled, T(bm.STATEMENT, "jpd.5"), "hsc b2")
    assert out.instrument.find("HSC B2").statement.id == "jpd.5" and out.label == "move JPD B2 -> HSC B2"
    assert bm.move_to_code(bundled, T(bm.STATEMENT, "jpd.5"), "AA D").instrument.find("AA D3").statement.id == "jpd.5"
    for bad in ("HSC", "HSC Z2", "HSC B2x", "NOPE A1"):
        with pytest.raises(EditError):
            bm.move_to_code(bundled, T(bm.STATEMENT, "jpd.5"), bad)


def test_every_problem_points_at_an_item_in_the_tree(bundled):
    broken = bm.write_field(bundled, T(bm.STATEMENT, "jpd.5"), "text", "").instrument
    broken = bm.write_field(broken, T(bm.BANK, "hsc"), "abbreviation", "JPD", fixed_ids=bundled.all_ids()).instrument
    broken = bm.write_field(broken, T(bm.SCHOOL, index=1), "letter", "A").instrument
    targets = {p.message: bm.target_for_path(broken, p.path) for p in check_instrument(broken)}
    assert targets["statement JPD B2 is empty"] == T(bm.STATEMENT, "jpd.5")
    assert targets["duplicate bank abbreviation 'JPD' (also bank 1)"] == T(bm.BANK, "hsc")
    assert targets["school letter A appears twice in the participant key"] == T(bm.SCHOOL, index=1)
    assert bm.target_for_path(skeleton(), ("bank",)) == bm.ROOT
    assert bm.target_for_path(bundled, ("bank", 0, "section", "C")) == T(bm.SECTION, "jpd", "C")
    assert bm.target_for_path(bundled, ("role_group",)) == T(bm.GROUPS)
    assert bm.target_for_path(bundled, ("stages", "A")) == bm.ROOT


def test_describe_and_exists(bundled):
    assert bm.describe(bundled, T(bm.SECTION, "ec", "D")) == "E&C section D"
    assert bm.describe(bundled, T(bm.GROUP, index=1)) == "group SLT"
    assert bm.describe(bundled, T(bm.STATEMENT, "gone.1")) == "statement"
    assert bm.exists(bundled, T(bm.ROLE, index=4)) and not bm.exists(bundled, T(bm.ROLE, index=5))
    assert not bm.exists(bundled, T(bm.BANK, "gone"))
