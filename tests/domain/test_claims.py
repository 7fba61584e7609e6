"""A form being keyed at one station is visible at another, on both backends; the claim lapses
when its station saves, quits, or leaves it untouched for CLAIM_LAPSE_S."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.backends import sql
from tui.domain.returns import answers as ans
from tui.domain.store import CLAIM_LAPSE_S, Draft, Study, claim_key, schema


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2015, 1, 12, 10, 14, tzinfo=UTC)

    def __call__(self) -> str:
        return self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def wait(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def stations(study_location, bundled, clock, monkeypatch):
    """Two stations (desk-1 keyed by JS, desk-2 by MK) with one study open each, and a serial issued."""
    monkeypatch.setenv("TZ", "UTC")
    first = Study.open(study_location, now=clock)
    first.add_wave("2015", bundled, operator="RS")
    (form,) = first.issue_forms("2015", ["C3"], operator="RS")
    second = Study.open(study_location, now=clock)
    first.station, second.station = "desk-1", "desk-2"
    yield first, second, claim_key(serial=form.serial)
    first.close()
    second.close()


def test_a_form_opened_at_one_station_is_shown_as_taken_at_the_other(stations):
    first, second, serial = stations
    assert first.claim(serial, operator="JS") is None
    held = second.claim(serial, operator="MK")
    assert held is not None and held.describe() == "being keyed by JS at station desk-1 since 10:14"
    assert first.claim(serial, operator="JS") is None  # its own station may reopen it
    assert [(c.form, c.station) for c in second.claims()] == [(serial, "desk-1")]


def test_saving_the_form_ends_the_claim(stations, bundled):
    first, second, serial = stations
    first.claim(serial, operator="JS")
    first.save_return("2015", "C3", ans.blank_answers(bundled), serial=serial.split()[1], operator="JS")
    assert first.claims() == []
    assert second.claim(serial, operator="MK") is None


def test_quitting_ends_the_claim(study_location, stations):
    first, second, serial = stations
    first.claim(serial, operator="JS")
    first.close()
    assert second.claim(serial, operator="MK") is None


def test_an_idle_claim_lapses_and_keying_keeps_it(stations, clock):
    first, second, serial = stations
    first.claim(serial, operator="JS")
    clock.wait(CLAIM_LAPSE_S - 60)
    # A section saved as a draft: the station is still keying this paper.
    first.save_draft(Draft("2015", "JS", "C3", serial=serial.split()[1]))
    clock.wait(CLAIM_LAPSE_S - 60)
    assert second.claim(serial, operator="MK") is not None
    clock.wait(120)
    assert second.claims() == []
    assert second.claim(serial, operator="MK") is None
    assert first.claim(serial, operator="JS").describe().startswith("being keyed by MK at station desk-2")


def test_a_station_holds_one_form_at_a_time(stations):
    first, second, serial = stations
    first.claim(serial, operator="JS")
    first.claim(claim_key(draft_id=7), operator="JS")
    assert second.claim(serial, operator="MK") is None
    assert [c.form for c in first.claims()] == ["draft 7", serial]


def test_discarding_a_draft_ends_its_claim(stations):
    first, second, _serial = stations
    draft = first.save_draft(Draft("2015", "JS", "A2"))
    first.claim(claim_key(draft_id=draft), operator="JS")
    assert second.claim(claim_key(draft_id=draft), operator="MK") is not None
    second.discard_draft(draft, operator="MK", reason="paper lost")
    assert second.claims() == []


def test_claims_are_not_study_data(stations):
    """Claims never reach the audit trail (they come and go with every paper)."""
    first, _second, serial = stations
    before = len(first.audit())
    first.claim(serial, operator="JS")
    first.release_claims()
    assert len(first.audit()) == before and first.verify_audit() == []


def test_a_schema_3_study_gains_the_claims_table(study_location):
    Study.open(study_location).close()
    sql(study_location, "drop table claims")
    sql(study_location, "update meta set value='3' where key='schema_version'")
    with Study.open(study_location) as study:
        assert study.claim("serial 0000013", operator="JS") is None
    assert sql(study_location, "select value from meta where key='schema_version'") == [(str(schema.SCHEMA_VERSION),)]


# --- the entry session tells the operator (the screen shows the note) ---------------------------------


def _open_serial(session, serial: str):
    for char in serial:
        session.key(char, char)
    return session.key("enter", None)


def test_the_entry_session_says_who_is_keying_a_serial(stations):
    from tui.domain.entry import EntrySession

    first, second, serial = stations
    number = serial.split()[1]
    at_desk_1 = EntrySession(first, first.wave("2015"), "JS")
    at_desk_2 = EntrySession(second, second.wave("2015"), "MK")
    assert _open_serial(at_desk_1, number).note == f"serial {number}: participant C3"
    outcome = _open_serial(at_desk_2, number)
    assert outcome.refused is None and at_desk_2.stage == "form"  # told, not stopped
    assert outcome.note == f"{serial} is being keyed by JS at station desk-1 since 10:14"


def test_the_entry_session_says_who_is_keying_a_draft(stations):
    from tui.domain.entry import EntrySession

    first, second, _serial = stations
    first.save_draft(Draft("2015", "JS", "A2", state={"done": {}, "at": ["jpd", "A"]}))
    (draft,) = first.drafts()
    at_desk_1 = EntrySession(first, first.wave("2015"), "JS")
    assert at_desk_1.resume(draft).note == "resumed the draft of A2"
    at_desk_2 = EntrySession(second, second.wave("2015"), "MK")
    assert at_desk_2.resume(draft).note == f"draft {draft.id} is being keyed by JS at station desk-1 since 10:14"


def test_the_entry_session_says_who_is_second_keying_a_return(stations, bundled):
    from tui.domain.entry import EntrySession, Mode

    first, second, _serial = stations
    record = first.save_return("2015", "B3", ans.blank_answers(bundled), operator="RS").record
    at_desk_1 = EntrySession(first, first.wave("2015"), "JS", Mode.SECOND)
    assert at_desk_1.open_return(record).note is None
    at_desk_2 = EntrySession(second, second.wave("2015"), "MK", Mode.SECOND)
    assert at_desk_2.open_return(record).note == f"return {record.id} is being keyed by JS at station desk-1 since 10:14"
    first.save_second_pass(record.id, ans.blank_answers(bundled), operator="JS")
    assert first.claims() == []
