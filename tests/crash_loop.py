"""The real `surveydesk` keying in tmux: killed with SIGKILL at random moments, or several at once.

    python -m tests.crash_loop --kills 50                  # the crash loop (issue 8), prints a summary
    python -m tests.crash_loop --concurrent 4 --seconds 60 # four entry stations on one study
    ... --backend postgresql                               # the study on the PostgreSQL test server

Keys go in by ``tmux send-keys`` one at a time, with a keyer's small random gaps, and the harness
reads the screen as the operator would: a section is *completed* once the prompt shows the next
section, a return is *confirmed* once the message line says ``Saved #N CODE``.

What a kill may cost (the guarantee checked after every kill): every confirmed return is in the
store with exactly the keyed values, once; the draft holds every section the screen moved past at
least GRACE_S before the kill (the writer waits for a QUIET_S gap in the keys, at most
MAX_DEFER_S, then writes with a full sync); nothing stored was never keyed. Sections completed
within GRACE_S of the kill may or may not be in the draft (counted, not failed).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.backends import BACKENDS, location
from tests.tmux import Terminal
from tui.domain.instrument import Instrument, bundled_instrument_path, load_instrument
from tui.domain.returns import BankAnswer
from tui.domain.store import Draft, Study
from tui.widgets.write_queue import MAX_DEFER_S

WAVE = "2014"
# The promise checked: a section is on disk GRACE_S after the screen moved past it. The writer
# defers at most MAX_DEFER_S (0.2 s) for a gap in the keys; the rest is the write itself (a full
# fsync) and tmux on a busy two-core machine.
GRACE_S = 0.5
assert MAX_DEFER_S <= GRACE_S - 0.2, "the writer may defer a draft past the promise"
# Anything of these on any screen is a failure (a refused key rings the bell and shows ✗).
BAD_ON_SCREEN = re.compile(r"locked|Traceback|Error|failed|✗")
SAVED = re.compile(r"Saved #(\d+) ([A-Z]\d)")


# --- papers ---------------------------------------------------------------------------------------


@dataclass
class Step:
    """Keys that move the form on: the code, a section's digits + Enter, `-`, or the save Enter."""

    kind: str  # code | section | missing | save
    text: str  # typed literally, before the final key
    final: str | None  # Enter, or None (the code moves on by itself; `-` is in text)
    after: str  # the prompt label the screen shows once the step is taken
    before: str = ""  # ... and before it
    bank_id: str = ""
    letter: str = ""
    positions: tuple[int, ...] = ()
    confirmed_at: float | None = None  # monotonic, when the screen showed ``after``


@dataclass
class Paper:
    code: str
    positions: dict[tuple[str, str], tuple[int, ...]]  # (bank id, letter) -> highlighted positions
    missing: set[str]
    steps: list[Step] = field(default_factory=list)
    # Its draft, by code and start time: draft ids are reused once the newest draft is deleted.
    draft_key: tuple[str, str] | None = None
    save_sent: bool = False
    return_id: int | None = None  # once the screen confirmed the save

    @property
    def prompt(self) -> str:
        """The prompt label before the first step (where a resumed draft stopped)."""
        return self.steps[0].before

    def answers(self, instrument: Instrument) -> dict[str, BankAnswer]:
        """What the store must hold, computed from the instrument (not from the app's keying code)."""
        out = {}
        for bank in instrument.banks:
            if bank.id in self.missing:
                out[bank.id] = BankAnswer.missing()
                continue
            marked, offset = set(), 0
            for section in bank.sections:
                marked |= {offset + p for p in self.positions.get((bank.id, section.letter), ())}
                offset += len(section.statements)
            out[bank.id] = BankAnswer(True, frozenset(marked))
        return out


def draft_key(draft: Draft) -> tuple[str, str]:
    return draft.participant_code, draft.started_at


def _label(bank, letter: str) -> str:
    return f"{bank.abbreviation} {letter}"


def plan_steps(instrument: Instrument, paper: Paper, rng: random.Random, start: tuple[str, str] | None,
               with_code: bool, typed: str = "") -> None:
    """Random realistic keying of ``paper`` from section ``start`` (None: the first) to the save.
    ``typed``: digits already on the keying line at ``start`` (a resumed draft shows its line again),
    which the first section's keying carries on from."""
    slots = [(bank, section) for bank in instrument.banks for section in bank.sections if section.statements]
    labels = [_label(b, s.letter) for b, s in slots] + ["Save?"]
    i = 0 if start is None else next(n for n, (b, s) in enumerate(slots) if (b.id, s.letter) == start)
    if with_code:
        paper.steps.append(Step("code", paper.code, None, labels[i], "Code or serial"))
    while i < len(slots):
        bank, section = slots[i]
        if section.letter == "A" and not typed and rng.random() < 0.06:  # a page that did not come back
            paper.missing.add(bank.id)
            here = labels[i]
            while i < len(slots) and slots[i][0] is bank:
                i += 1
            paper.steps.append(Step("missing", "-", None, labels[i], here, bank_id=bank.id, letter="A"))
            continue
        # Each statement highlighted about two times in five (the thesis' returns: 23 of 60).
        already = tuple(int(c) for c in typed)
        positions = already + tuple(p for p in range(max(already, default=0) + 1, len(section.statements) + 1)
                                    if rng.random() < 0.4)
        typed = ""
        paper.positions[(bank.id, section.letter)] = positions
        paper.steps.append(Step("section", "".join(map(str, positions[len(already):])), "Enter", labels[i + 1],
                                labels[i],
                                bank_id=bank.id,
                                letter=section.letter, positions=positions))
        i += 1
    paper.steps.append(Step("save", "", "Enter", "Code or serial", "Save?"))


def new_paper(instrument: Instrument, rng: random.Random) -> Paper:
    key = instrument.key
    code = f"{rng.choice(key.school_letters)}{rng.choice([r.digit for r in key.roles])}"
    paper = Paper(code, {}, set())
    plan_steps(instrument, paper, rng, None, with_code=True)
    return paper


def resumed_paper(instrument: Instrument, draft: Draft, rng: random.Random) -> Paper:
    """The rest of a draft's paper: what it holds, then random keying from where it stopped."""
    done = draft.state.get("done", {})
    paper = Paper(draft.participant_code, {}, {b for b, e in done.items() if not e.get("present", True)},
                  draft_key=draft_key(draft))
    for bank_id, entry in done.items():
        for letter, positions in entry.get("sections", {}).items():
            if bank_id not in paper.missing:
                paper.positions[(bank_id, letter)] = tuple(positions)
    at = draft.state.get("at") or ["summary"]
    if at == ["summary"]:
        paper.steps.append(Step("save", "", "Enter", "Code or serial", "Save?"))
    else:
        # The line as it stood (typed, not yet Enter): the screen shows it again and keying carries on.
        plan_steps(instrument, paper, rng, (at[0], at[1]), with_code=False, typed=draft.state.get("line") or "")
    return paper


# --- one keying station ----------------------------------------------------------------------------


class Station:
    """One `surveydesk` in its own tmux server, keyed by one operator."""

    def __init__(self, study: str, operator: str, rng: random.Random, *, width: int = 80, height: int = 24,
                 cwd: Path, station: str | None = None):
        self.study, self.operator, self.rng, self.cwd = study, operator, rng, cwd
        self.env = {"SURVEYDESK_STATION": station} if station else None
        self.width, self.height = width, height
        self.term: Terminal | None = None
        self.last_id = 0
        self.bad_screens: list[str] = []
        self.screens_checked = 0

    def start(self) -> str:
        self.term = Terminal(["--study", self.study, "--operator", self.operator, "--wave", WAVE],
                             width=self.width, height=self.height, cwd=self.cwd, env=self.env)
        self.term.wait_for("Joint Practice Development", timeout=60)
        self.term.keys("F3")
        return self.wait_any(("Forms part-way through keying", "Code or serial ›"), timeout=30)

    def screen(self) -> str:
        assert self.term is not None
        text = self.term.screen()
        self.screens_checked += 1
        if BAD_ON_SCREEN.search(text):
            self.bad_screens.append(text)
        return text

    def wait_any(self, texts: tuple[str, ...], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            found = next((t for t in texts if t in screen), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"none of {texts} appeared within {timeout}s ({self.operator}):\n{screen}")
            time.sleep(0.02)

    def wait_gone(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text in (screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} still on screen after {timeout}s ({self.operator}):\n{screen}")
            time.sleep(0.02)

    def send(self, step: Step, *, partial: bool = False) -> None:
        """Type a step key by key with a keyer's gaps (sometimes a burst, sometimes a pause)."""
        assert self.term is not None
        text = step.text[:self.rng.randrange(len(step.text))] if partial else step.text
        for char in text:
            self.term.type(char)
            time.sleep(self.rng.choice((0, 0.01, 0.03, 0.06, 0.12)))
        if step.final and not partial:
            self.term.keys(step.final)

    def confirm(self, step: Step, paper: Paper, timeout: float = 20.0) -> None:
        """Wait until the screen shows the step taken (for the save: the Saved message)."""
        if step.kind != "save":
            self.wait_any((f" {step.after} ›",), timeout)
            step.confirmed_at = time.monotonic()
            return
        deadline = time.monotonic() + timeout
        while True:
            for number, code in SAVED.findall(self.screen()):
                if int(number) > self.last_id and code == paper.code:
                    self.last_id = paper.return_id = int(number)
                    step.confirmed_at = time.monotonic()
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"the save of {paper.code} was not confirmed ({self.operator}):\n"
                                     f"{self.term.screen() if self.term else ''}")
            time.sleep(0.02)

    def app_pid(self) -> int:
        assert self.term is not None
        return self.term.app_pid()

    def kill(self) -> None:
        os.kill(self.app_pid(), signal.SIGKILL)
        if self.term is not None:
            self.term.wait_closed()
            self.term.close()
            self.term = None

    def close(self) -> None:
        if self.term is not None:
            self.term.close()
            self.term = None


# --- checking the study ----------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the harness keyed, to check the study against after each kill."""

    instrument: Instrument
    papers: list[Paper] = field(default_factory=list)
    returns_confirmed: int = 0
    sections_checked: int = 0
    sections_in_grace: int = 0
    sections_in_grace_durable: int = 0
    oldest_not_durable: float = 0.0  # seconds between the screen moving on and the kill
    failures: list[str] = field(default_factory=list)

    def check_returns(self, study: Study, operators: set[str] | None = None) -> None:
        """Every confirmed return once with exactly its values; every stored return was keyed and saved."""
        stored = {r.id: r for r in study.find_returns(WAVE, limit=1_000_000)}
        by_id = {p.return_id: p for p in self.papers if p.return_id is not None}
        for rid, paper in by_id.items():
            record = stored.get(rid)
            if record is None:
                self.failures.append(f"confirmed return #{rid} ({paper.code}) is not in the store")
            elif record.participant_code != paper.code or record.answers != paper.answers(self.instrument):
                self.failures.append(f"return #{rid} differs from what was keyed: stored {record.participant_code} "
                                     f"{record.answers}, keyed {paper.code} {paper.answers(self.instrument)}")
        # A save sent just before a kill may have landed unconfirmed: it must match a sent paper exactly.
        unconfirmed = [p for p in self.papers if p.save_sent and p.return_id is None]
        for rid in sorted(set(stored) - set(by_id)):
            record = stored[rid]
            match = next((p for p in unconfirmed if p.code == record.participant_code
                          and p.answers(self.instrument) == record.answers), None)
            if match is None:
                self.failures.append(f"return #{rid} ({record.participant_code}) was stored but never saved "
                                     "by the harness")
                continue
            match.return_id = rid
            unconfirmed.remove(match)
        if operators is not None:
            strangers = {r.created_by for r in stored.values()} - operators
            if strangers:
                self.failures.append(f"returns by unknown operators {strangers}")

    def check_saved_drafts(self, drafts: list[Draft]) -> None:
        """Saving a resumed draft removes it in the same transaction."""
        left = {draft_key(d) for d in drafts}
        for paper in self.papers:
            if paper.return_id is not None and paper.draft_key in left:
                self.failures.append(f"return #{paper.return_id} was saved but its draft {paper.draft_key} remains")

    def check_draft(self, paper: Paper, draft: Draft | None, killed_at: float) -> None:
        """The draft of the paper on screen at the kill holds every section completed GRACE_S before."""
        if paper.return_id is not None:
            if draft is not None:
                self.failures.append(f"return #{paper.return_id} was saved but its draft #{draft.id} remains")
            return
        done = (draft.state.get("done", {}) if draft is not None else {})
        for step in paper.steps:
            if step.kind not in ("code", "section", "missing") or step.confirmed_at is None:
                continue
            durable = draft is not None
            if step.kind == "section":
                durable = durable and done.get(step.bank_id, {}).get("sections", {}).get(step.letter) \
                    == list(step.positions)
            elif step.kind == "missing":
                durable = durable and done.get(step.bank_id, {}).get("present") is False
            if killed_at - step.confirmed_at >= GRACE_S:
                self.sections_checked += 1
                if not durable:
                    self.failures.append(f"{paper.code}: {step.kind} {step.bank_id} {step.letter} completed "
                                         f"{killed_at - step.confirmed_at:.2f}s before the kill is not in the "
                                         f"draft {done}")
            else:
                self.sections_in_grace += 1
                self.sections_in_grace_durable += durable
                if not durable:
                    self.oldest_not_durable = max(self.oldest_not_durable, killed_at - step.confirmed_at)
        # Nothing in the draft that was not keyed.
        for bank_id, entry in done.items():
            for letter, positions in entry.get("sections", {}).items():
                if bank_id not in paper.missing and tuple(positions) != paper.positions.get((bank_id, letter)):
                    self.failures.append(f"{paper.code}: draft section {bank_id} {letter} = {positions}, keyed "
                                         f"{paper.positions.get((bank_id, letter))}")


def check_file(path: str) -> str | None:
    with Study.open(path, create=False) as study:
        return "; ".join(study.backend.integrity_problems()) or None


def make_study(path: str, forms: list[str] | None = None) -> tuple[str, Instrument]:
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(path) as study:
        study.add_wave(WAVE, instrument, operator="RS")
        if forms:
            study.issue_forms(WAVE, forms, operator="RS")
    return path, instrument


# --- the crash loop --------------------------------------------------------------------------------

KILL_MOMENTS = ("mid-section", "after-enter", "writing", "after-save", "idle")


@dataclass
class CrashSummary:
    kills: int = 0
    moments: dict[str, int] = field(default_factory=dict)
    resumed: int = 0
    seconds: float = 0.0
    ledger: Ledger | None = None

    def lines(self) -> list[str]:
        led = self.ledger
        assert led is not None
        return [
            f"kills: {self.kills} ({', '.join(f'{k} {v}' for k, v in sorted(self.moments.items()))})",
            f"returns confirmed on screen: {led.returns_confirmed}; in the store: "
            f"{sum(p.return_id is not None for p in led.papers)}; drafts resumed after a restart: {self.resumed}",
            f"completed sections checked in the draft after a kill: {led.sections_checked}",
            f"sections completed within {GRACE_S:.2f}s of a kill: {led.sections_in_grace} "
            f"({led.sections_in_grace_durable} were on disk already; the oldest not yet on disk had been "
            f"completed {led.oldest_not_durable * 1000:.0f} ms before the kill)",
            f"failures: {len(led.failures)}",
            *[f"  {f}" for f in led.failures[:20]],
            f"wall time: {self.seconds:.0f}s",
        ]


def crash_loop(folder: Path, kills: int, seed: int, *, operator: str = "CK", log=print,
               backend: str = "sqlite") -> CrashSummary:
    with location(backend, folder, "crash.db") as where:
        return _crash_loop(where, folder, kills, seed, operator, log)


def _crash_loop(where: str, folder: Path, kills: int, seed: int, operator: str, log) -> CrashSummary:
    started = time.monotonic()
    rng = random.Random(seed)
    path, instrument = make_study(where)
    summary = CrashSummary(ledger=Ledger(instrument))
    ledger = summary.ledger
    assert ledger is not None
    station = Station(path, operator, rng, cwd=folder)
    try:
        for n in range(1, kills + 1):
            moment = rng.choice(KILL_MOMENTS)
            summary.moments[moment] = summary.moments.get(moment, 0) + 1
            with Study.open(path) as study:
                drafts = study.drafts(wave=WAVE, operator=operator)
            shown = station.start()
            paper: Paper | None = None
            if shown.startswith("Forms"):
                if rng.random() < 0.5:
                    paper = resumed_paper(instrument, drafts[0], rng)  # the list's first, highlighted
                    station.term.keys("Enter")  # type: ignore[union-attr]
                    summary.resumed += 1
                else:
                    station.term.keys("C-g")  # type: ignore[union-attr]
                station.wait_gone("Forms part-way through keying")
                station.wait_any((" Code or serial ›" if paper is None else f" {paper.prompt} ›",))
            killed_at, paper = key_until_kill(station, instrument, ledger, paper, moment, rng)
            station.kill()
            summary.kills += 1
            problem = check_after_kill(path, ledger, paper, killed_at)
            log(f"kill {n}/{kills} {moment:11} papers {len(ledger.papers):3} "
                f"confirmed {ledger.returns_confirmed:3}" + (f"  FAILED: {problem}" if problem else ""))
    finally:
        station.close()
    summary.seconds = time.monotonic() - started
    ledger.failures.extend(f"bad screen:\n{s}" for s in station.bad_screens[:3])
    return summary


def key_until_kill(station: Station, instrument: Instrument, ledger: Ledger, paper: Paper | None, moment: str,
                   rng: random.Random) -> tuple[float, Paper]:
    """Key papers until the chosen moment comes (after 2 to 50 steps), then return the kill time."""
    countdown = rng.randrange(2, 50)
    while True:
        if paper is None:
            paper = new_paper(instrument, rng)
        ledger.papers.append(paper) if paper not in ledger.papers else None
        for step in paper.steps:
            countdown -= 1
            due = countdown <= 0 and (
                (moment == "mid-section" and step.kind == "section" and len(step.text) > 1)
                or (moment in ("after-enter", "writing", "idle") and step.kind in ("section", "missing"))
                or (moment == "after-save" and step.kind == "save"))
            if due and moment == "mid-section":
                station.send(step, partial=True)
                time.sleep(rng.uniform(0, 0.1))
                return time.monotonic(), paper
            station.send(step)
            if step.kind == "save":
                paper.save_sent = True
            if due and moment == "after-enter":
                time.sleep(rng.uniform(0, 0.03))
                return time.monotonic(), paper
            if due and moment == "after-save":
                time.sleep(rng.uniform(0, 0.15))
                return time.monotonic(), paper
            station.confirm(step, paper)
            if step.kind == "save":
                ledger.returns_confirmed += 1
            if due and moment == "writing":
                time.sleep(rng.uniform(0, 0.12))
                return time.monotonic(), paper
            if due and moment == "idle":
                time.sleep(GRACE_S + rng.uniform(0, 0.5))
                return time.monotonic(), paper
        paper = None


def check_after_kill(path: str, ledger: Ledger, paper: Paper, killed_at: float) -> str | None:
    before = len(ledger.failures)
    problem = check_file(path)
    if problem:
        ledger.failures.append(problem)
    with Study.open(path) as study:
        ledger.check_returns(study)
        drafts = study.drafts(wave=WAVE)
        if paper.draft_key is not None:
            draft = next((d for d in drafts if draft_key(d) == paper.draft_key), None)
        else:
            known = {p.draft_key for p in ledger.papers}
            fresh = [d for d in drafts if draft_key(d) not in known and d.participant_code == paper.code]
            draft = max(fresh, key=lambda d: d.started_at, default=None)
            paper.draft_key = draft_key(draft) if draft is not None else None
        ledger.check_draft(paper, draft, killed_at)
        ledger.check_saved_drafts(drafts)
        audit = study.verify_audit()
        if audit:
            ledger.failures.append(f"audit trail: {audit}")
    return "; ".join(ledger.failures[before:]) or None


# --- concurrent stations ---------------------------------------------------------------------------


@dataclass
class ConcurrentSummary:
    stations: int
    seconds: float
    per_station: dict[str, int]
    screens_checked: int
    ledger: Ledger

    def lines(self) -> list[str]:
        total = sum(self.per_station.values())
        return [
            f"{self.stations} stations, {self.seconds:.0f}s wall time with start-up: {total} returns confirmed "
            f"({', '.join(f'{k} {v}' for k, v in self.per_station.items())}), "
            f"{total / self.seconds * 3600:.0f} returns/hour together",
            f"screens captured and checked for errors: {self.screens_checked}",
            f"failures: {len(self.ledger.failures)}",
            *[f"  {f}" for f in self.ledger.failures[:20]],
        ]


def concurrent(folder: Path, stations: int, seconds: float, seed: int, *, backend: str = "sqlite"
               ) -> ConcurrentSummary:
    with location(backend, folder, "crash.db") as where:
        return _concurrent(where, folder, stations, seconds, seed)


def _concurrent(where: str, folder: Path, stations: int, seconds: float, seed: int) -> ConcurrentSummary:
    path, instrument = make_study(where)
    ledger = Ledger(instrument)
    keyers = [Station(path, f"K{n + 1}", random.Random(seed + n), cwd=folder, station=f"desk-{n + 1}")
              for n in range(stations)]
    errors: list[str] = []
    lock = threading.Lock()

    def run(station: Station) -> None:
        try:
            station.start()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                paper = new_paper(instrument, station.rng)
                with lock:
                    ledger.papers.append(paper)
                for step in paper.steps:
                    station.send(step)
                    paper.save_sent = paper.save_sent or step.kind == "save"
                    station.confirm(step, paper, timeout=60)
        except Exception as exc:  # reported with the rest, not lost in the thread
            errors.append(f"{station.operator}: {type(exc).__name__}: {exc}")

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(s,)) for s in keyers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        for station in keyers:  # quit cleanly: nothing may be pending
            if station.term is not None:
                station.term.keys("C-q")
                station.term.wait_closed(30)
    finally:
        for station in keyers:
            station.close()
    ledger.failures.extend(errors)
    for station in keyers:
        ledger.failures.extend(f"{station.operator} showed:\n{s}" for s in station.bad_screens[:2])
    problem = check_file(path)
    if problem:
        ledger.failures.append(problem)
    with Study.open(path) as study:
        ledger.check_returns(study, operators={s.operator for s in keyers})
        stored = study.find_returns(WAVE, limit=1_000_000)
    confirmed = [p for p in ledger.papers if p.return_id is not None]
    if len(stored) != len(confirmed) or len({r.id for r in stored}) != len(stored):
        ledger.failures.append(f"{len(stored)} returns stored, {len(confirmed)} confirmed")
    ledger.returns_confirmed = len(confirmed)
    per = {s.operator: sum(1 for r in stored if r.created_by == s.operator) for s in keyers}
    return ConcurrentSummary(stations, elapsed, per, sum(s.screens_checked for s in keyers), ledger)


def same_serial(folder: Path, seed: int, *, backend: str = "sqlite") -> list[str]:
    """Two stations key the paper with the same serial and save at the same moment: exactly one
    return lands, the other station says why its save was refused and keeps the form on screen.
    The second to open the serial is told the first is keying it (a claim)."""
    with location(backend, folder, "crash.db") as where:
        return _same_serial(where, folder, seed)


def _same_serial(where: str, folder: Path, seed: int) -> list[str]:
    path, instrument = make_study(where, forms=["C3"])
    with Study.open(path) as study:
        (issued,) = study.issued_forms(WAVE)
    rng = random.Random(seed)
    stations = [Station(path, f"S{n}", rng, cwd=folder, station=f"desk-{n}") for n in (1, 2)]
    failures: list[str] = []
    try:
        papers = []
        for station in stations:
            station.start()
            paper = Paper("C3", {}, set())
            plan_steps(instrument, paper, rng, None, with_code=False)
            paper.steps.insert(0, Step("code", issued.serial, "Enter", "JPD A", "Code or serial"))
            for step in paper.steps[:-1]:
                station.send(step)
                station.confirm(step, paper)
                if step.kind == "code" and station is stations[1]:  # the first station has this paper
                    told = " ".join(station.screen().split())
                    if f"serial {issued.serial} is being keyed by S1 at station desk-1 since" not in told:
                        failures.append(f"S2 was not told S1 is keying serial {issued.serial}:\n{told}")
            papers.append(paper)
        for station, paper in zip(stations, papers, strict=True):  # both saves at once
            station.send(paper.steps[-1])
        outcomes = []
        for station in stations:
            assert station.term is not None
            deadline = time.monotonic() + 30
            while not re.search(r"Saved #\d+ C3|save of C3 failed", screen := station.term.screen()):
                if time.monotonic() > deadline:
                    failures.append(f"{station.operator}: no outcome of the save:\n{screen}")
                    break
                time.sleep(0.05)
            outcomes.append(" ".join(screen.split()))
        saved = [o for o in outcomes if re.search(r"Saved #\d+ C3", o)]
        refused = [o for o in outcomes if f"save of C3 failed: serial {issued.serial} was already returned" in o]
        if len(saved) != 1 or len(refused) != 1 or "The form is back on screen" not in "".join(refused):
            failures.append("expected one save and one clear refusal, the screens show:\n" + "\n".join(outcomes))
    finally:
        for station in stations:
            station.close()
    with Study.open(path) as study:
        landed = study.find_returns(serial=issued.serial)
        if len(landed) != 1:
            failures.append(f"{len(landed)} returns with serial {issued.serial}")
        # The refused form is kept: back on screen, and as a draft of its operator.
        if len(study.drafts(wave=WAVE)) != 1:
            failures.append(f"drafts after the refused save: {study.drafts(wave=WAVE)}")
    return failures


# --- command line ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crash_loop", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=0, help="SIGKILL the keying app this many times")
    parser.add_argument("--concurrent", type=int, default=0, help="run this many entry stations at once")
    parser.add_argument("--seconds", type=float, default=60, help="how long the stations key (--concurrent)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the study folder and print its path")
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite",
                        help="where the study is: an SQLite file, or a database on the PostgreSQL test server "
                        "($SURVEYDESK_TEST_PG, see tests/pg_server.py)")
    args = parser.parse_args(argv)
    if not args.kills and not args.concurrent:
        parser.error("give --kills N and/or --concurrent N")
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"seed {seed} · python {sys.version.split()[0]} · {os.cpu_count()} cores", flush=True)
    failed = False
    folder = Path(tempfile.mkdtemp(prefix="surveydesk-crash-"))
    try:
        if args.kills:
            summary = crash_loop(folder, args.kills, seed, backend=args.backend)
            print("\n".join(summary.lines()))
            failed |= bool(summary.ledger and summary.ledger.failures)
        if args.concurrent:
            (folder / "concurrent").mkdir()
            result = concurrent(folder / "concurrent", args.concurrent, args.seconds, seed, backend=args.backend)
            print("\n".join(result.lines()))
            failed |= bool(result.ledger.failures)
    finally:
        if args.keep:
            print(f"studies kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
