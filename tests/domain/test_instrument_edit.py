"""Editing operations on the immutable instrument, and the undo history (pure domain)."""

from __future__ import annotations

import pytest

from tui.domain.instrument import check_instrument, dumps_instrument, parse_instrument
from tui.domain.instrument import edit as e


def codes_of(instrument, bank="JPD"):
    return [(r.code, r.statement.id) for r in instrument.bank_refs(instrument.bank(bank))]


def roundtrip(instrument):
    parsed, problems = parse_instrument(dumps_instrument(instrument))
    assert parsed == instrument, problems
    return parsed


# --- skeleton and versions ---------------------------------------------------------------


def test_skeleton_has_the_bundled_key_and_asks_for_a_bank():
    sk = e.skeleton()
    assert sk.key.school_letters == ("A", "B", "C", "D", "E")
    assert sk.key.role_digits == (1, 2, 3, 4, 5)
    assert [g.name for g in sk.key.groups] == ["HD", "SLT", "T"]
    assert sk.key.group_of(2) == "HD" and sk.key.group_of(5) == "T"
    assert sk.banks == ()
    assert [p.message for p in check_instrument(sk) if p.is_error] == ["the instrument has no banks"]


@pytest.mark.parametrize(("old", "new"), [("2015", "2016"), ("2015.2", "2015.3"), ("v3", "v4"),
                                          ("1", "2"), ("draft", "draft.2"), ("", "2"), ("2015-b", "2016-b"),
                                          ("09", "10"), ("1.09", "1.10")])
def test_next_version(old, new):
    assert e.next_version(old) == new


# --- banks ------------------------------------------------------------------------------


def test_add_bank_at_end_and_after_another(bundled):
    one, new_id = e.add_bank(bundled)
    assert one.banks[-1].id == new_id == "new" and one.banks[-1].abbreviation == "NEW"
    two, second = e.add_bank(one, after="jpd")
    assert two.banks[1].id == second == "new2" and two.banks[1].abbreviation == "NEW2"
    assert bundled.banks[0].id == "jpd" and len(bundled.banks) == 5  # the original is untouched


def test_bank_id_for_avoids_used_and_retired_ids(bundled):
    assert e.bank_id_for(bundled, "E&C") == "ec-2"
    assert e.bank_id_for(bundled, "Lead") == "lead"
    retired = e.delete_bank(bundled, "aa")
    assert e.bank_id_for(retired, "AA") == "aa-2"  # 'aa' and its 'aa.N' were used once


def test_edit_bank_fields_and_codes_follow_abbreviation(bundled):
    edited = e.edit_bank(bundled, "jpd", abbreviation="jpx", title="Joint Practice Dev", rubric="R",
                         dimension="D")
    bank = edited.banks[0]
    assert (bank.abbreviation, bank.title, bank.rubric, bank.dimension) == ("JPX", "Joint Practice Dev", "R", "D")
    assert edited.find("JPX C2").statement.id == "jpd.9"
    with pytest.raises(e.EditError):
        e.edit_bank(bundled, "jpd", colour="red")


def test_rekey_gives_a_new_bank_an_id_from_its_abbreviation(bundled):
    inst, bank_id = e.add_bank(bundled)
    inst, sid = e.add_statement(inst, bank_id, "A", text="One")
    inst = e.edit_bank(inst, bank_id, abbreviation="LDR")
    inst, new_id = e.rekey_bank(inst, bank_id)
    assert new_id == "ldr"
    assert [s.id for s in inst.banks[-1].section("A").statements] == ["ldr.1"]
    assert e.rekey_bank(inst, "ldr") == (inst, "ldr")  # already right: nothing to do


def test_delete_bank_retires_its_ids(bundled):
    inst = e.delete_bank(bundled, "cmp")
    assert [b.abbreviation for b in inst.banks] == ["JPD", "HSC", "E&C", "AA"]
    assert "cmp" in inst.retired_ids and "cmp.8" in inst.retired_ids
    assert [p.where for p in check_instrument(inst)] == ["instructions", "HSC A5"]  # unsigned letter; incomplete
    roundtrip(inst)


def test_duplicate_bank_gets_new_abbreviation_ids_and_statement_ids(bundled):
    inst, new_id = e.duplicate_bank(bundled, "jpd")
    copy = inst.banks[1]
    assert (copy.id, copy.abbreviation, copy.title) == ("jpd2", "JPD2", "Joint Practice Development (copy)")
    assert copy.statement_count == 13
    assert inst.find("JPD2 C2").statement.id == "jpd2.9"
    assert inst.find("JPD2 C2").statement.text == bundled.find("JPD C2").statement.text
    assert [p for p in check_instrument(inst) if p.is_error] == []


def test_move_bank_and_refuse_past_the_ends(bundled):
    inst = e.move_bank(bundled, "aa", -1)
    assert [b.id for b in inst.banks] == ["jpd", "hsc", "cmp", "aa", "ec"]
    with pytest.raises(e.EditError, match="bank JPD is already first"):
        e.move_bank(bundled, "jpd", -1)
    with pytest.raises(e.EditError, match="already last"):
        e.move_bank(bundled, "aa", 1)


def test_stage_labels_instrument_wide_and_per_bank(bundled):
    inst = e.set_stage(bundled, "C", " Embedded ")
    assert inst.find("HSC C1").stage == "Embedded"
    inst = e.set_bank_stage(inst, "jpd", "C", "Consolidating")
    assert inst.find("JPD C1").stage == "Consolidating" and inst.find("HSC C1").stage == "Embedded"
    inst = e.set_bank_stage(inst, "jpd", "C", "  ")  # empty removes the override
    assert inst.banks[0].stages == {} and inst.find("JPD C1").stage == "Embedded"
    with pytest.raises(e.EditError):
        e.set_stage(bundled, "E", "Extra")
    roundtrip(e.set_bank_stage(bundled, "aa", "D", "Systemic"))


# --- statements -------------------------------------------------------------------------


def test_add_statement_takes_a_new_id_and_codes_shift(bundled):
    inst, sid = e.add_statement(bundled, "jpd", "A", 0, "A new first statement.")
    assert sid == "jpd.14"
    assert codes_of(inst)[:3] == [("JPD A1", "jpd.14"), ("JPD A2", "jpd.1"), ("JPD A3", "jpd.2")]
    assert inst.find("JPD 14").code == "JPD D3"
    after, sid2 = e.add_statement_after(inst, "jpd.9", "After C2")
    assert sid2 == "jpd.15" and after.find("JPD C3").statement.id == "jpd.15"


def test_edit_statement_text_is_one_line_and_negative_toggles(bundled):
    inst = e.edit_statement(bundled, "jpd.5", text="  Reworded\nacross   lines ")
    assert inst.find("JPD B2").statement.text == "Reworded across lines"
    assert e.toggle_negative(inst, "jpd.5").find("JPD B2").statement.negative is True
    assert e.toggle_negative(bundled, "jpd.2").find("JPD A2").statement.negative is False
    with pytest.raises(e.EditError):
        e.edit_statement(bundled, "jpd.5", colour="red")
    with pytest.raises(e.EditError, match="no statement"):
        e.edit_statement(bundled, "jpd.99", text="x")


def test_delete_statement_retires_id_and_new_ids_never_reuse_it(bundled):
    inst = e.delete_statement(bundled, "jpd.13")
    assert "jpd.13" in inst.retired_ids
    inst, sid = e.add_statement(inst, "jpd", "D")
    assert sid == "jpd.14"
    roundtrip(e.edit_statement(inst, sid, text="New"))


def test_duplicate_statement_goes_right_after_with_a_new_id(bundled):
    inst, sid = e.duplicate_statement(bundled, "jpd.2")
    assert sid == "jpd.14"
    assert codes_of(inst)[1:3] == [("JPD A2", "jpd.2"), ("JPD A3", "jpd.14")]
    dup = inst.find("JPD A3").statement
    assert dup.negative and dup.text == bundled.find("JPD A2").statement.text
    # the same text twice in a section is allowed but flagged
    assert [p.where for p in check_instrument(inst)] == ["instructions", "JPD A3", "HSC A5"]


def test_move_statement_within_and_across_sections(bundled):
    inst = e.move_statement(bundled, "jpd.1", 1)
    assert [c for c, _ in codes_of(inst) if _ in ("jpd.1", "jpd.2")] == ["JPD A1", "JPD A2"]
    assert inst.ref_by_id("jpd.1").code == "JPD A2"
    # past the end of A: first of B
    inst = e.move_statement(bundled, "jpd.3", 1)
    assert inst.ref_by_id("jpd.3").code == "JPD B1" and inst.ref_by_id("jpd.4").code == "JPD B2"
    # past the top of B: last of A
    back = e.move_statement(inst, "jpd.3", -1)
    assert back == bundled
    with pytest.raises(e.EditError, match="JPD A1 is already in the first section of JPD"):
        e.move_statement(bundled, "jpd.1", -1)
    with pytest.raises(e.EditError, match="JPD D3 is already in the last section"):
        e.move_statement(bundled, "jpd.13", 1)


def test_move_statement_to_neighbouring_section(bundled):
    inst = e.move_statement_to_section(bundled, "hsc.13", -1)
    assert inst.ref_by_id("hsc.13").code == "HSC B6"
    inst = e.move_statement_to_section(bundled, "hsc.13", 1)
    assert inst.ref_by_id("hsc.13").code == "HSC D1"


def test_place_statement_in_another_bank_keeps_its_id(bundled):
    inst = e.place_statement(bundled, "jpd.5", "hsc", "A", 0)
    ref = inst.ref_by_id("jpd.5")
    assert ref.code == "HSC A1" and ref.statement.text == bundled.ref_by_id("jpd.5").statement.text
    assert inst.banks[0].statement_count == 12 and inst.banks[1].statement_count == 19
    roundtrip(inst)


# --- the participant key ----------------------------------------------------------------


def test_schools_add_edit_delete(bundled):
    inst, at = e.add_school(bundled)
    assert at == 5 and inst.key.school_letters[-1] == "F"
    inst = e.edit_school(inst, 5, letter="g", name="  Hillside Primary ")
    assert inst.key.schools[5].letter == "G" and inst.key.schools[5].name == "Hillside Primary"
    inst = e.delete_school(inst, 0)
    assert inst.key.school_letters == ("B", "C", "D", "E", "G")
    clash = e.edit_school(bundled, 1, letter="A")
    assert "school letter A appears twice in the participant key" in [p.message for p in check_instrument(clash)]


def test_roles_renumbering_is_carried_into_groups(bundled):
    inst = e.edit_role(bundled, 3, digit=6, label="Middle leader")
    assert inst.key.role_label(6) == "Middle leader"
    assert inst.key.groups[2].roles == (6, 5)
    inst, at = e.add_role(inst)
    assert inst.key.roles[at].digit == 4 and inst.key.roles[at].label == ""
    assert any(p.message == "role 4 has no label" for p in check_instrument(inst))
    gone = e.delete_role(bundled, 0)
    assert gone.key.role_digits == (2, 3, 4, 5) and gone.key.groups[0].roles == (2,)


def test_groups_add_edit_delete_and_digits_parsing(bundled):
    inst, at = e.add_group(bundled)
    assert inst.key.groups[at].name == "G1"
    assert e.parse_digits("1, 2 3") == (1, 2, 3) and e.parse_digits("45") == (4, 5)
    inst = e.edit_group(bundled, 0, name="HDG", label="Heads", roles=(1, 2, 2))
    assert inst.key.groups[0] == type(inst.key.groups[0])("HDG", "Heads", (1, 2))
    inst = e.delete_group(bundled, 1)
    assert [g.name for g in inst.key.groups] == ["HD", "T"]
    assert any("role 3 is in no role group" in p.message for p in check_instrument(inst))


def test_move_key_items(bundled):
    inst = e.move_key_item(bundled, "school", 0, 1)
    assert inst.key.school_letters[:2] == ("B", "A")
    with pytest.raises(e.EditError, match="this role is already first"):
        e.move_key_item(bundled, "role", 0, -1)


def test_no_edit_changes_the_original(bundled):
    snapshot = dumps_instrument(bundled)
    e.delete_bank(bundled, "jpd")
    e.edit_statement(bundled, "jpd.1", text="x")
    e.set_bank_stage(bundled, "jpd", "A", "X")
    e.edit_role(bundled, 0, digit=9)
    assert dumps_instrument(bundled) == snapshot


# --- history ----------------------------------------------------------------------------


def test_history_undo_redo_and_dirty(bundled):
    h = e.EditHistory(bundled, focus="start")
    assert not h.dirty and not h.can_undo and h.undo() is None
    h.run("reword JPD B2", e.edit_statement, "jpd.5", text="New words", before="b", after="a")
    h.run("delete JPD A3", e.delete_statement, "jpd.3")
    assert h.dirty and h.labels == ["reword JPD B2", "delete JPD A3"]
    step = h.undo()
    assert step.label == "delete JPD A3" and h.current.ref_by_id("jpd.3")
    step = h.undo()
    assert step.before == "b" and h.current == bundled and not h.dirty
    assert h.redo().after == "a" and h.current.find("JPD B2").statement.text == "New words"
    # a new edit after undo drops the redo list
    h.run("negative", e.toggle_negative, "jpd.1")
    assert not h.can_redo and h.redo() is None
    h.mark_saved()
    assert not h.dirty
    h.undo()
    assert h.dirty  # the file holds the newer text now


def test_history_ignores_edits_that_change_nothing_and_keeps_a_limit(bundled):
    h = e.EditHistory(bundled, limit=3)
    assert h.apply("same", bundled) is False and not h.can_undo
    for n in range(5):
        h.run(f"edit {n}", e.edit_instrument, title=f"T{n}")
    assert h.labels == ["edit 2", "edit 3", "edit 4"]
    while h.can_undo:
        h.undo()
    assert h.current == bundled  # the opened instrument is never dropped
