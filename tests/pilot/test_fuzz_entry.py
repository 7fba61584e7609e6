"""Property test: random keystroke streams into the entry screen (F3), through the real app.

A stream is drawn from what a person could press on this screen: digits, letters, ``-``, space,
comma, Enter, Tab, Shift+Tab, Backspace, the screen's chords and F-keys (drafts, second keying,
resolution, edit), Esc and the dialogs' keys; plus whole participant codes, serials of issued
forms and whole sections, so streams get deep into forms. The study holds returns keyed by
another operator (so second keying and resolution are reachable) and a draft (so the drafts
list opens on entry).

After every key, the writes the key caused are flushed and the study is compared with the one
before. Properties:

- what the screen shows is what is saved: after every key, the statements the screen has shown
  marked in each section of the form on it (read from the drawn statement lines, each section as
  last shown) and the pages the section strip shows missing equal what a save at that moment
  would store;
- a new return appears only on a confirming key (Enter on the summary, ctrl+s on a form that is
  complete with what is on the line), and it equals what the screen showed (code, serial, every
  bank's answer, each section as last shown); a confirming key in first keying always saves;
- a saved return changes only on a confirming key: a second keying's save adds its pass (and
  never touches the first keyer's values), an edit changes it on Enter in the reason dialog, a
  resolution (``1``/``2`` on the resolution screen) gives each statement a value one of the two
  keyers typed; no return ever disappears;
- no stored answer (return or entry pass) holds a statement outside the wave's instrument: every
  bank's bit mask fits the bank's statement count; every draft can be resumed;
- the app never crashes (``run_test`` re-raises any exception of the app);
- the same stream gives the same study at any speed: the keys of each stream are sent again into
  a fresh copy of the study in bursts (many keys at once into the app's queue, as a barcode
  scanner or a typist ahead of the screen sends them), and the returns, second passes,
  resolutions and drafts stored are the same.

CI runs a fixed, seeded set of examples. A long run (random seed each time, 200 times as many;
tests/fuzzing.py)::

    SURVEYDESK_FUZZ=200 .venv/bin/python -m pytest tests/pilot/test_fuzz_entry.py -q \
        --hypothesis-show-statistics
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
import textual._wait as textual_wait
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.helpers import burst
from tui.app import SurveyDeskApp, make_app
from tui.domain.entry import EntryForm, EntrySession, KeyingError, Mode
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import Draft, Study
from tui.screens.dialogs import PromptDialog
from tui.screens.entry import EntryScreen
from tui.screens.resolve import ResolveScreen
from tui.widgets import write_queue
from tui.widgets.statements_view import StatementsView

pytestmark = pytest.mark.slow  # random keystroke streams into the app: not in the fast lane (pytest -m "not slow")

INSTRUMENT = load_instrument(bundled_instrument_path())
WAVE = "2014"
OPERATOR = "JS"  # at the keyboard; the study's earlier returns were keyed by RS
EXAMPLES = examples(10)
STEPS = 25  # per example; each is a few keys (a code, a serial, a section, a run of Enter)

# --- the study every stream starts from -------------------------------------------------------


@dataclass(frozen=True)
class Template:
    path: Path
    serials: tuple[str, ...]  # issued forms: coded ones, then blank ones


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    path = tmp_path_factory.mktemp("fuzz-entry") / "study.db"
    with Study.open(path) as study:
        study.add_wave(WAVE, INSTRUMENT, operator="RS")
        issued = study.issue_forms(WAVE, ["A1", "B3", "E5", "C2", None, None], operator="RS")
        some = ans.from_codes(INSTRUMENT, ["JPD A1", "JPD B2", "HSC C1", "AA D2"], missing_banks=["CMP"])
        other = ans.from_codes(INSTRUMENT, ["JPD A3", "E&C B1"])
        # Keyed by RS, awaiting second keying by someone else: A1 by serial, two B3s (a list to choose from).
        study.save_return(WAVE, "A1", some, operator="RS", serial=issued[0].serial)
        study.save_return(WAVE, "B3", other, operator="RS")
        study.save_return(WAVE, "B3", some, operator="RS")
        # Keyed twice with differences (a page and two statements): the resolution screen has work.
        keyed = study.save_return(WAVE, "D4", some, operator="RS").record
        study.save_second_pass(keyed.id, other, operator="MK")
        # A form of JS part-way through keying: the drafts list opens on entry.
        study.save_draft(Draft(WAVE, OPERATOR, "C2", issued[3].serial,
                               state={"done": {"jpd": {"present": True, "sections": {"A": [1], "B": []}}},
                                      "at": ["jpd", "C"]}))
    return Template(path, tuple(f.serial for f in issued))


# --- streams ------------------------------------------------------------------------------------

# Single keys, repeated to weight them: digits and Enter most, as in real keying.
SINGLE_KEYS = (
    ["1", "2", "3", "4", "5"] * 4 + ["0", "6", "7", "8", "9"]
    + ["enter"] * 10 + ["minus"] * 3 + ["backspace"] * 2
    + ["a", "b", "c", "e", "A", "E", "x", "n", "p", "space", "comma", "tab", "shift+tab",
       "ctrl+s", "ctrl+s", "ctrl+n", "ctrl+r", "escape", "ctrl+g", "f7", "f8", "f9", "f12", "delete",
       "up", "down"]
)


def keys_of(text: str) -> tuple[str, ...]:
    return tuple({"-": "minus", " ": "space", ",": "comma"}.get(ch, ch) for ch in text)


class Steps:
    """Strategies for the next few keys. Which one is drawn from depends on where the screen is
    (any key can still come anywhere), so streams get past the code and deep into forms instead
    of spending themselves on refusals."""

    def __init__(self, serials: tuple[str, ...]):
        self.single = st.sampled_from(SINGLE_KEYS).map(lambda key: (key,))
        self.codes = st.sampled_from(["A1", "a1", "B3", "b3", "C2", "E5", "D4", "e4", "F1", "A9"]).map(keys_of)
        self.serials = st.sampled_from(serials).map(lambda serial: (*keys_of(serial), "enter"))
        self.sections = st.sampled_from(["", "1", "13", "24", "1234", "2", "31", "5", "1 3"]).map(
            lambda text: (*keys_of(text), "enter"))
        # Runs of Enter (empty sections) and of "-" (missing pages) walk to the summary, and past it.
        self.enters = st.integers(2, 21).map(lambda n: ("enter",) * n)
        self.pages = st.integers(1, 5).map(lambda n: ("minus",) * n)
        # A slip corrected: back to a section, change its line, and leave it some way.
        self.corrections = st.tuples(
            st.sampled_from([("shift+tab",), ("backspace",), ("backspace", "backspace")]),
            st.sampled_from([("backspace",), ("backspace", "backspace"), ()]),
            st.sampled_from([("1",), ("3",), ("2", "4"), ()]),
            st.sampled_from([("shift+tab",), ("backspace",), ("ctrl+s",), ("minus",), ("ctrl+n",), ("f8",),
                             ("enter",), ("tab",)]),
        ).map(lambda parts: tuple(k for part in parts for k in part))
        self.dialog = st.sampled_from([("enter",), ("escape",), ("ctrl+g",), ("down",), ("up",), ("delete",)])
        self.resolving = st.sampled_from([("1",), ("2",), ("down",), ("n",), ("p",), ("up",), ("escape",), ("f9",)])
        self.mode = st.sampled_from([("f7",), ("f8",), ("f9",), ("f12",), ("ctrl+n",), ("ctrl+r",)])
        # Switch to second keying or edit and name a paper keyed earlier (by RS), to get deep there too.
        self.papers = st.sampled_from([("f8", "a", "1"), ("f8", "b", "3"), ("f12", "a", "1"), ("f12", "d", "4")])
        single, mode = self.single, self.mode
        self.where = {
            "dialog": st.one_of(self.dialog, self.dialog, self.dialog, single, self.codes,
                                self.papers.map(lambda keys: ("escape", *keys))),
            "resolve": st.one_of(self.resolving, self.resolving, single),
            "ident": st.one_of(self.codes, self.codes, self.serials, single, mode, self.papers,
                               st.just(("backspace",) * 8)),  # clear a mistyped line
            "form": st.one_of(self.sections, self.sections, self.sections, self.enters, self.pages, single, single,
                              mode, self.codes, self.corrections, self.corrections),
        }

    def next(self, data, app) -> tuple[str, ...]:
        screen, session = app.screen, entry_screen(app).session
        if isinstance(screen, ResolveScreen):
            where = "resolve"
        elif not isinstance(screen, EntryScreen):
            where = "dialog"
        else:
            where = "form" if session is not None and session.stage == "form" else "ident"
        return data.draw(self.where[where], label=where)


# --- the oracle -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What a return looks like from outside: the part a confirmation may change."""

    code: str
    serial: str | None
    answers: dict
    passes: int


@dataclass(frozen=True)
class Expect:
    """What the key about to be pressed confirms (kind: first, second, edit, resolve)."""

    kind: str
    return_id: int | None = None
    code: str | None = None
    serial: str | None = None
    answers: dict | None = None


def fingerprint(path: Path) -> tuple:
    """Cheap: changes whenever a return is added, removed, changed (its version) or keyed again."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*), total(version), max(id), (SELECT count(*) FROM entry_passes) "
                            "FROM returns").fetchone()


def seen(study: Study) -> dict[int, Seen]:
    return {r.id: Seen(r.participant_code, r.serial, dict(r.answers), len(r.passes))
            for r in study.find_returns(WAVE)}


def entry_screen(app) -> EntryScreen:
    return next(x for x in app.screen_stack if isinstance(x, EntryScreen))


MARK = re.compile(r"^\s*(\d+) ([■·]) ")
STRIP_BANK = re.compile(r"(\S+) ([A-D-]+)")


def shown_marks(entry: EntryScreen) -> set[int]:
    """The statements of the section on screen drawn marked (■), read from the drawn lines."""
    view = entry.query_one(StatementsView)
    marks = set()
    for y in range(view.size.height):
        match = MARK.match(view.render_line(y).text)
        if match and match.group(2) == "■":
            marks.add(int(match.group(1)))
    return marks


def shown_missing(entry: EntryScreen) -> set[str]:
    """The banks the section strip draws missing (every section a ``-``)."""
    by_abbreviation = {b.abbreviation: b.id for b in INSTRUMENT.banks}
    return {by_abbreviation[abbr] for abbr, letters in STRIP_BANK.findall(entry.query_one("#entry-strip").text.plain)
            if abbr in by_abbreviation and set(letters) == {"-"}}


class Shown:
    """What the screen has shown of the form on it: per section the statements it last showed
    marked (sections never shown are not in it), and the pages it shows missing."""

    def __init__(self) -> None:
        self.token: int | None = None
        self.marks: dict[int, set[int]] = {}
        self.missing: set[str] = set()

    def observe(self, app) -> None:
        entry = entry_screen(app)
        s = entry.session
        if s is None:
            return
        if s.token != self.token:  # another form: nothing of it shown yet
            self.token, self.marks, self.missing = s.token, {}, set()
        if app.screen is not entry or s.stage != "form":
            return
        self.missing = shown_missing(entry)
        slot = s.form.slot
        if slot is not None and not s.form.bank_missing(slot):
            self.marks[slot.index] = shown_marks(entry)

    def answers(self, session: EntrySession) -> dict | None:
        """The answers of the form as the screen showed it (sections never shown: as the form holds
        them); None when a save now would be refused (a section not keyed, a line it cannot take)."""
        try:
            positions, _ = session.pending()
        except KeyingError:
            return None
        if self.token == session.token:
            positions.update({i: tuple(sorted(m)) for i, m in self.marks.items() if i in positions})
        copy = EntryForm(session.instrument)
        copy.positions, copy.missing = positions, set(self.missing if self.token == session.token
                                                      else session.form.missing)
        try:
            return copy.answers()
        except KeyingError:
            return None


def check_shown_is_stored(app, shown: Shown, key: str) -> None:
    """After every key: each section as the screen last showed it is what a save now would store."""
    entry = entry_screen(app)
    s = entry.session
    if s is None or s.stage != "form" or s.token != shown.token:
        return
    assert shown.missing == s.form.missing, f"{key}: the strip shows {shown.missing} missing, the form {s.form.missing}"
    try:
        positions, missing = s.pending()
    except KeyingError:
        return  # a save would refuse the line, saying why: nothing would be stored
    for index, marks in shown.marks.items():
        slot = s.form.slots[index]
        if slot.bank.id in missing:
            continue
        stored = set(positions.get(index, ()))
        assert stored == marks, (f"{key}: {slot.label} was last shown with {sorted(marks)} marked, "
                                 f"a save now would store {sorted(stored)}")


def expectation(app, key: str, shown: Shown) -> Expect | None:
    screen, entry = app.screen, entry_screen(app)
    s = entry.session
    if s is None:
        return None
    if isinstance(screen, ResolveScreen) and key in ("1", "2"):
        return Expect("resolve")
    if isinstance(screen, PromptDialog) and screen.id == "edit-reason" and key == "enter" and s.record is not None:
        return Expect("edit", s.record.id, s.code, s.serial, shown.answers(s))
    if screen is not entry or s.stage != "form" or s.mode is Mode.EDIT:
        return None
    if not ((key == "enter" and s.form.at_summary) or key == "ctrl+s"):
        return None
    answers = shown.answers(s)
    if answers is None:
        return None
    if s.mode is Mode.SECOND:
        assert s.record is not None
        return Expect("second", s.record.id, answers=answers)
    return Expect("first", code=s.code, serial=s.serial, answers=answers)


def check_step(study: Study, key: str, expect: Expect | None, before: dict[int, Seen],
               after: dict[int, Seen], failed: bool) -> None:
    assert set(before) <= set(after), f"{key}: returns {sorted(set(before) - set(after))} disappeared"
    added = sorted(set(after) - set(before))
    if expect is not None and expect.kind == "first" and not failed:
        assert len(added) == 1, f"{key} on a complete form saved {len(added)} returns"
        new = after[added[0]]
        assert (new.code, new.serial, new.answers) == (expect.code, expect.serial, expect.answers), \
            f"{key}: the stored return differs from the screen"
    else:
        assert not added, f"{key} stored return(s) {added} without a confirmation ({expect})"
    for rid in set(before) & set(after):
        old, new = before[rid], after[rid]
        if old == new:
            continue
        kind = expect.kind if expect is not None else None
        if kind == "second" and rid == expect.return_id:
            assert (old.passes, new.passes) == (1, 2) and new.answers == old.answers, \
                f"{key}: a second keying touched return #{rid}'s values"
            assert study.second_pass_answers(rid) == expect.answers, f"{key}: the second pass differs from the screen"
        elif kind == "edit" and rid == expect.return_id:
            assert (new.code, new.serial, new.answers) == (expect.code, expect.serial, expect.answers), \
                f"{key}: the edited return differs from the screen"
        elif kind == "resolve":
            assert new.passes == old.passes == 2 and (new.code, new.serial) == (old.code, old.serial)
            first = ans.statement_values(INSTRUMENT, study.first_pass_answers(rid))
            second = ans.statement_values(INSTRUMENT, study.second_pass_answers(rid))
            final = ans.statement_values(INSTRUMENT, new.answers)
            wrong = [c for c, v in final.items() if v not in (first[c], second[c])]
            assert not wrong, f"resolving return #{rid} gave {wrong} a value neither keyer typed"
        else:
            raise AssertionError(f"{key} changed return #{rid} without a confirmation: {old} -> {new}")


def check_stored_answers(path: Path) -> None:
    """Every stored answer, read raw, fits the wave's instrument: a bank mask with a bit beyond the
    bank's statements would be a statement outside the instrument (decode would hide it)."""
    banks = INSTRUMENT.banks
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        texts = [row[0] for row in conn.execute("SELECT answers FROM returns UNION ALL SELECT answers "
                                                "FROM entry_passes")]
    for text in texts:
        tokens = text.split()
        assert len(tokens) == len(banks), text
        for bank, token in zip(banks, tokens, strict=True):
            assert token == ans.MISSING or 0 <= int(token) < 1 << bank.statement_count, \
                f"{bank.abbreviation} mask {token} holds a statement beyond {bank.statement_count}"


def check_outputs(study: Study) -> None:
    codes = set(INSTRUMENT.codes())
    wide = study.returns_wide(WAVE)
    assert {c for c in wide.columns if " " in c} <= codes
    assert set(study.returns_long(WAVE)["code"].unique().to_list()) <= codes
    for draft in study.drafts():
        EntryForm.from_state(INSTRUMENT, draft.state)  # raises KeyingError when it no longer fits


async def key_stream(path: Path, next_step: Callable[[SurveyDeskApp], tuple[str, ...]], count: int,
                     pressed: list[str]) -> list[str]:
    """Press ``count`` steps of keys from ``next_step`` into the entry screen, one key at a time,
    checking after each key; the keys go into ``pressed``. Returns what the keys confirmed (first,
    second, edit, resolve), in order."""
    app = make_app(study_path=path, operator=OPERATOR)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        entry = entry_screen(app)
        study = app.study
        before, last = seen(study), fingerprint(path)
        confirmed: list[str] = []
        shown = Shown()
        shown.observe(app)
        for _ in range(count):
            for key in next_step(app):
                expect = expectation(app, key, shown)
                pressed.append(key)
                await pilot.press(key)
                assert entry.writes is not None and entry.writes.flush(30), "a write did not finish"
                await pilot.pause()  # the write's message reaches the screen
                now = fingerprint(path)
                after = seen(study) if now != last or expect is not None else before
                last = now
                check_step(study, key, expect, before, after, failed=entry._message_kind == "failed")
                if expect is not None:
                    confirmed.append(expect.kind)
                before = after
                shown.observe(app)
                check_shown_is_stored(app, shown, key)
        check_outputs(study)
    check_stored_answers(path)
    return confirmed


def fast_harness(monkeypatch) -> None:
    """Speed knobs of the harness, not of the behaviour: writes normally wait for a 50 ms gap
    between keystrokes (here every key is followed by a flush), and Pilot polls for an idle app in
    20 ms steps (three polls per key; 1 ms steps find the same idle point sooner)."""
    monkeypatch.setattr(write_queue, "QUIET_S", 0.0)
    monkeypatch.setattr(textual_wait, "SLEEP_GRANULARITY", 0.001)
    monkeypatch.setattr(textual_wait, "SLEEP_IDLE", 0.0002)


def contents(path: Path) -> dict:
    """What a stream left in the study, without times and ids that depend on how fast keys came."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {
            "returns": conn.execute("SELECT id, participant_code, serial, answers, status, version FROM returns "
                                    "ORDER BY id").fetchall(),
            "passes": conn.execute("SELECT return_id, pass_no, operator, answers, keystrokes FROM entry_passes "
                                   "ORDER BY return_id, pass_no").fetchall(),
            "discrepancies": conn.execute("SELECT return_id, statement_id, resolved_value, resolved_by "
                                          "FROM discrepancies ORDER BY id").fetchall(),
            "drafts": sorted(conn.execute("SELECT operator, pass_no, return_id, participant_code, serial, state, "
                                          "keystrokes FROM drafts").fetchall()),
        }


async def key_bursts(path: Path, keys: list[str], sizes: list[int]) -> None:
    """The same keys again, in bursts of ``sizes`` (cycled): each burst all at once into the app."""
    app = make_app(study_path=path, operator=OPERATOR)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        at, turn = 0, 0
        while at < len(keys):
            size = sizes[turn % len(sizes)]
            await burst(pilot, *keys[at:at + size])
            at, turn = at + size, turn + 1
        entry = entry_screen(app)
        assert entry.writes is not None and entry.writes.flush(30), "a write did not finish"
        await pilot.pause()


def run_stream(template: Template, next_step: Callable[[SurveyDeskApp], tuple[str, ...]], count: int,
               sizes: list[int] | None = None) -> list[str]:
    """One key at a time under the oracle; then, with ``sizes``, the same keys in bursts into a
    fresh copy, which must end with the same study."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(shutil.copy(template.path, Path(folder) / "study.db"))
        pressed: list[str] = []
        confirmed = asyncio.run(key_stream(path, next_step, count, pressed))
        if sizes:
            again = Path(shutil.copy(template.path, Path(folder) / "bursts.db"))
            asyncio.run(key_bursts(again, pressed, sizes))
            one_by_one, in_bursts = contents(path), contents(again)
            for part in one_by_one:
                assert in_bursts[part] == one_by_one[part], \
                    f"{part} differ when the same keys come in bursts of {sizes}: {pressed}"
        return confirmed


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_random_keystrokes_store_only_confirmed_returns(template, monkeypatch, data):
    fast_harness(monkeypatch)
    steps = Steps(template.serials)
    sizes = data.draw(st.lists(st.integers(1, 40), min_size=1, max_size=8), label="burst sizes")
    confirmed = run_stream(template, lambda app: steps.next(data, app), STEPS, sizes)
    for kind in sorted(set(confirmed)) or ["nothing confirmed"]:
        event(f"confirmed: {kind}")  # how deep the streams get (--hypothesis-show-statistics)


# Streams found by the fuzz or written for its edges, replayed every time under the same checks.
FIXED_STREAMS = {
    # Tab accepts a section; an extra Tab on the summary saved the form unchecked.
    "tab past the summary": (("escape", "e", "5", *["tab"] * 20, "tab", "tab", "enter"), ["first"]),
    # ctrl+s counts what is on the line for the last section; a page marked missing is kept.
    "ctrl+s with the last section on the line": (
        ("escape", "a", "1", *["minus"] * 4, *["enter"] * 3, "2", "ctrl+s"), ["first"]),
    # second keying of a return whose code two returns share, chosen from the list, then saved
    "second keying": (("escape", "f8", "b", "3", "down", "enter", *["minus"] * 5, "enter"), ["second"]),
    # resolve every open difference with the first keyer's value
    "resolution": (("escape", "f9", "1", "1", "1", "1", "escape"), ["resolve"] * 4),
    # edit: open the return by code, change a section, save with a reason
    "edit": (("escape", "f12", "d", "4", "3", "enter", "ctrl+s", "f", "i", "x", "enter"), ["edit"]),
    # issue 13: a correction on the line, then Shift+Tab and ctrl+s, saved what was stored before
    "a correction left by Shift+Tab": (("escape", "e", "5", *["enter"] * 18, "2", "enter", "enter", "backspace",
                                        "backspace", "backspace", "3", "shift+tab", "ctrl+s"), ["first"]),
    # issue 13: Backspace in a burst applied after the keys that followed it
    "backspace among digits": (("escape", "a", "1", "enter", "1", "2", "backspace", "3", "4", "enter",
                                *["enter"] * 18, "enter"), ["first"]),
    # a list chosen from, then the form keyed at once: Enter closes the list before the digits
    "second keying chosen then keyed": (("escape", "f8", "b", "3", "enter", "1", "3", "enter", "2", "enter",
                                         *["enter"] * 18, "enter"), ["second"]),
}


@pytest.mark.parametrize(("keys", "confirms"), FIXED_STREAMS.values(), ids=FIXED_STREAMS.keys())
def test_fixed_keystroke_streams(template, monkeypatch, keys, confirms):
    fast_harness(monkeypatch)
    assert run_stream(template, lambda app: keys, 1, sizes=[len(keys)]) == confirms
