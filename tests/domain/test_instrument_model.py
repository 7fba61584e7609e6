"""Derived codes and participant-code grammar (pure domain)."""

from __future__ import annotations

import pytest

from tui.domain.instrument import ParticipantCode, ParticipantCodeError


def test_running_number_and_section_code_are_two_names_for_one_statement(bundled):
    ref = bundled.find("JPD 8")
    assert ref.code == "JPD C1"
    assert bundled.find("JPD C1") == ref
    assert ref.statement.text.startswith("The school has evolved its CPD close to the practice model")


@pytest.mark.parametrize(
    ("section_code", "number_code"),
    [("JPD A1", "JPD 1"), ("JPD B4", "JPD 7"), ("JPD D3", "JPD 13"), ("HSC C3", "HSC 13"),
     ("HSC C5", "HSC 15"), ("CMP B1", "CMP 3"), ("E&C B2", "E&C 5"), ("AA B1", "AA 2"), ("AA D2", "AA 11")],
)
def test_code_derivation_both_ways(bundled, section_code, number_code):
    assert bundled.find(section_code).number_code == number_code
    assert bundled.find(number_code).code == section_code


def test_find_forgives_case_and_spacing(bundled):
    assert bundled.find("  jpd   c2 ").code == "JPD C2"
    assert bundled.find("e&c d1").code == "E&C D1"


@pytest.mark.parametrize("bad", ["JPD D4", "JPD 14", "XYZ A1", "JPD", "", "JPD Z1"])
def test_find_refuses_codes_not_in_instrument(bundled, bad):
    with pytest.raises(KeyError):
        bundled.find(bad)


def test_stage_labels_come_from_sections(bundled):
    assert [bundled.find(c).stage for c in ("JPD A1", "JPD B1", "JPD C1", "JPD D1")] == [
        "Beginning", "Developing", "Embedding", "Leading"]


def test_codes_list_in_printed_order(bundled):
    codes = bundled.codes()
    assert len(codes) == 60 and len(set(codes)) == 60
    assert codes[:4] == ["JPD A1", "JPD A2", "JPD A3", "JPD B1"]
    assert codes[-1] == "AA D2"


@pytest.mark.parametrize(("text", "expected"), [("A2", ("A", 2)), ("e5", ("E", 5)), (" c3 ", ("C", 3))])
def test_participant_code_valid_and_lowercase(bundled, text, expected):
    assert bundled.key.parse(text) == ParticipantCode(*expected)
    assert str(bundled.key.parse(text)) == f"{expected[0]}{expected[1]}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("F2", "school F is not in the key"),
        ("A7", "role 7 is not in the key"),
        ("A0", "role 0 is not in the key"),
        ("A22", "one school letter and one role digit"),
        ("AB2", "one school letter and one role digit"),
        ("2A", "one school letter and one role digit"),
        ("A-2", "one school letter and one role digit"),
        ("", "empty"),
    ],
)
def test_participant_code_refusals_say_why(bundled, text, reason):
    with pytest.raises(ParticipantCodeError, match=reason):
        bundled.key.parse(text)


def test_role_groups_follow_the_thesis(bundled):
    key = bundled.key
    assert [key.group_of(d) for d in (1, 2, 3, 4, 5)] == ["HD", "HD", "SLT", "T", "T"]


def test_new_ids_never_reuse_retired_ones(bundled):
    from dataclasses import replace

    inst = replace(bundled, retired_ids=("jpd.14", "jpd.15"))
    assert inst.new_id("jpd") == "jpd.16"
    assert bundled.new_id("jpd") == "jpd.14"
