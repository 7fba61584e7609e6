"""Entry benchmark: key synthetic paper returns through the real entry screen with Pilot.

    python bench/entry_bench.py [EXISTING] [FORMS]     (defaults: 100000 200)

A study with EXISTING returns already in it is prepared once and cached under the system temp
folder (keyed by size; building 100,000 takes a few minutes), copied, and then FORMS synthetic
returns are keyed into it key by key, as an operator would: the participant code (2 keys), each
section's highlighted numbers and Enter (``-`` for a missing page), and Enter on the summary to
save. Every saved return is read back and compared with what was keyed.

Printed: keystrokes per return against the target (highlighted + sections + 3) and against one
keystroke per statement (60 fields + code + save), and the time the app spends handling a
keystroke: from the key event's arrival in the app to the end of the screen refresh that shows
its effect (message handling of every widget involved, layout and compositor), measured inside
the app by wrapping Textual's dispatch and refresh. Pilot's own waits between keys are excluded,
and so is the idle time before the refresh timer fires (at most 1/60 s, the same for any app).
Target: median under 10 ms.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from tui.domain.demo.synthetic import synthetic_returns  # noqa: E402
from tui.domain.entry.keying import walk  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.model import Instrument  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.returns import answers as ans  # noqa: E402
from tui.domain.store import NewReturn, Study  # noqa: E402

WAVE = "2014"
BATCH = 2_000


def answers_of(instrument: Instrument, frame) -> list[tuple[str, dict[str, ans.BankAnswer]]]:
    """(participant code, answers) per row of a synthetic wide frame (null = the bank's page missing)."""
    refs = list(instrument.refs())
    out = []
    for record in frame.select(["participant_code", *(r.code for r in refs)]).iter_rows():
        marked: dict[str, set[int]] = {bank.id: set() for bank in instrument.banks}
        missing: set[str] = set()
        for ref, value in zip(refs, record[1:], strict=True):
            if value is None:
                missing.add(ref.bank.id)
            elif value:
                marked[ref.bank.id].add(ref.running)
        out.append((record[0], {b: ans.BankAnswer.missing() if b in missing else ans.BankAnswer(True, frozenset(m))
                                for b, m in marked.items()}))
    return out


def prepared_study(instrument: Instrument, existing: int) -> Path:
    """A study with ``existing`` returns, built once and kept in the temp folder."""
    folder = Path(tempfile.gettempdir()) / "surveydesk-entry-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"study-{existing}.db"
    if path.exists():
        return path
    partial = folder / f"study-{existing}.partial.db"
    for old in folder.glob(partial.name + "*"):
        old.unlink()
    print(f"preparing a study with {existing:,} returns (once; cached at {path}) ...", flush=True)
    start = time.perf_counter()
    rows = [NewReturn(WAVE, code, answers)
            for code, answers in answers_of(instrument, synthetic_returns(instrument, existing, wave=WAVE, seed=1))]
    with Study.open(partial) as study:
        study.add_wave(WAVE, instrument, operator="BENCH")
        study.issue_forms(WAVE, [str(c) for c in instrument.key.all_codes()] * 4, operator="BENCH")
        for i in range(0, existing, BATCH):
            study.save_returns(rows[i:i + BATCH], operator="BENCH")
    with Study.open(partial) as study:  # fold the WAL into the file before copying it around
        with study.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    print(f"prepared in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def form_keys(instrument: Instrument, code: str, answers: dict[str, ans.BankAnswer]) -> tuple[list[str], int]:
    """The keys an operator presses for this paper, and how many statements are highlighted."""
    keys = [code[0].lower(), code[1]]
    highlighted = 0
    done_banks: set[str] = set()
    for slot in walk(instrument):
        answer = answers[slot.bank.id]
        if not answer.present:
            if slot.bank.id not in done_banks:
                keys.append("minus")
                done_banks.add(slot.bank.id)
            continue
        positions = [n - slot.offset for n in sorted(answer.marked) if slot.offset < n <= slot.offset + slot.count]
        highlighted += len(positions)
        keys += [str(p) for p in positions] + ["enter"]
    keys.append("enter")  # save on the summary
    return keys, highlighted


@dataclass
class Meter:
    """Time from a key's arrival to the end of the refresh that shows it (see the module docstring)."""

    samples: list[tuple[str, float]] = field(default_factory=list)
    key: str | None = None
    start: float = 0.0
    busy_end: float = 0.0
    app: object = None

    event_id: int = 0

    def open(self, key: str, event_id: int = 0) -> None:
        if event_id and event_id == self.event_id and self.key is not None:
            return  # the same key passed on to Textual's own on_event: already timed
        self.close_without_refresh()
        self.key, self.start, self.event_id = key, time.perf_counter(), event_id
        self.busy_end = self.start

    def close_without_refresh(self) -> None:
        if self.key is not None:
            self.samples.append((self.key, self.busy_end - self.start))
            self.key = None

    def quiet(self) -> bool:
        app = self.app
        nodes = [app, *app.screen.walk_children(with_self=True)]
        return all(node._message_queue.empty() for node in nodes)


def instrument_textual(meter: Meter) -> None:
    from textual import events
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

    on_event = App.on_event
    dispatch = MessagePump._dispatch_message
    timer_update = Screen._on_timer_update

    async def timed_on_event(self, event):
        if isinstance(event, events.Key) and not event.is_forwarded:
            meter.open(event.key, id(event))
        return await on_event(self, event)

    # The app takes keys for the keying line in its own on_event (tui/widgets/ordered_keys.py).
    from tui.app import SurveyDeskApp

    app_on_event = SurveyDeskApp.on_event

    async def timed_app_on_event(self, event):
        if isinstance(event, events.Key) and not event.is_forwarded:
            meter.open(event.key, id(event))
        return await app_on_event(self, event)

    async def timed_dispatch(self, message):
        try:
            return await dispatch(self, message)
        finally:
            if meter.key is not None:
                meter.busy_end = time.perf_counter()

    def timed_timer_update(self):
        begun = time.perf_counter()
        timer_update(self)
        if meter.key is not None and meter.quiet():
            # Busy until the last message was handled, then the refresh itself (idle gap excluded).
            meter.samples.append((meter.key, (meter.busy_end - meter.start) + (time.perf_counter() - begun)))
            meter.key = None

    App.on_event = timed_on_event
    SurveyDeskApp.on_event = timed_app_on_event
    MessagePump._dispatch_message = timed_dispatch
    Screen._on_timer_update = timed_timer_update


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def key_forms(study_path: Path, forms: list[tuple[list[str], int]], meter: Meter) -> float:
    from tui.app import make_app
    from tui.screens.entry import EntryScreen

    app = make_app(study_path=study_path, operator="KEYER", wave=WAVE)
    meter.app = app
    started = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        meter.samples.clear()
        for number, (keys, _) in enumerate(forms, start=1):
            await pilot.press(*keys)
            if number % 20 == 0:
                print(f"  keyed {number} of {len(forms)} returns", flush=True)
        screen = next(x for x in app.screen_stack if isinstance(x, EntryScreen))
        screen.writes.flush()
        await pilot.pause()
        meter.close_without_refresh()
    return time.perf_counter() - started


async def baseline(meter: Meter, keys: int = 300) -> list[float]:
    """The same measure for a bare Textual Input (header, input, footer): Textual's own floor on
    this machine at this moment, to read the figures above against."""
    from textual.app import App
    from textual.widgets import Footer, Header, Input

    class Bare(App):
        def compose(self):
            yield Header()
            yield Input()
            yield Footer()

    app = Bare()
    meter.app = app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        meter.samples.clear()
        for number in range(keys):
            await pilot.press(str(number % 10))
        meter.close_without_refresh()
    return [t * 1000 for _, t in meter.samples]


def main(existing: int = 100_000, count: int = 200) -> None:
    instrument = load_instrument(bundled_instrument_path())
    cached = prepared_study(instrument, existing)
    work = Path(tempfile.mkdtemp(prefix="surveydesk-entry-bench-")) / "study.db"
    shutil.copy(cached, work)
    papers = answers_of(instrument, synthetic_returns(instrument, count, wave=WAVE, seed=7))
    forms = [form_keys(instrument, code, answers) for code, answers in papers]
    meter = Meter()
    instrument_textual(meter)
    print(f"keying {count} returns into a study of {existing:,} ...", flush=True)
    elapsed = asyncio.run(key_forms(work, forms, meter))

    with Study.open(work) as study:
        saved = [r for r in study.find_returns(WAVE) if r.created_by == "KEYER"]
    wrong = sum(1 for r, (code, answers) in zip(saved, papers, strict=False)
                if r.participant_code != code or r.answers != answers)
    if len(saved) != count or wrong:
        raise SystemExit(f"FAILED: {len(saved)} of {count} returns saved, {wrong} differ from what was keyed")
    shutil.rmtree(work.parent)

    keys = [len(k) for k, _ in forms]
    highlighted = [h for _, h in forms]
    sections = len(walk(instrument))
    target = [h + sections + 3 for h in highlighted]
    over = sum(1 for k, t in zip(keys, target, strict=True) if k > t)
    times = [t * 1000 for _, t in meter.samples]
    meter.app = None
    # What each key was: the participant code, a section's digit, Enter after a section, the
    # missing-page key, Enter on the summary (the save).
    labels = []
    for keys_of_form, _ in forms:
        labels += ["code"] * 2 + ["digit" if k.isdigit() else "Enter" if k == "enter" else "missing page"
                                  for k in keys_of_form[2:-1]] + ["save (Enter)"]
    kinds: dict[str, list[float]] = {}
    if len(labels) == len(times):
        for label, value in zip(labels, times, strict=True):
            kinds.setdefault(label, []).append(value)
    statements = instrument.statement_count
    print(f"machine: {describe()}")
    print(f"study: {existing:,} returns already in it; keyed {count} synthetic returns through the entry screen "
          f"({elapsed:.0f} s with Pilot's waits), all {count} read back equal to what was keyed")
    print(f"keystrokes per return: mean {statistics.mean(keys):.1f} (min {min(keys)}, max {max(keys)}); "
          f"target highlighted + {sections} sections + 3 = mean {statistics.mean(target):.1f}, "
          f"{over} returns over it; one keystroke per statement: {statements} + 3 = {statements + 3}")
    print(f"highlighted statements per return: mean {statistics.mean(highlighted):.1f}")
    print(f"keystroke handling ({len(times):,} keys, arrival to end of refresh): median {statistics.median(times):.2f} ms, "
          f"p99 {percentile(times, 0.99):.2f} ms, max {max(times):.1f} ms  (target median < 10 ms)")
    for kind, values in kinds.items():
        if values:
            print(f"  {kind:<13} n={len(values):>5}  median {statistics.median(values):.2f} ms  "
                  f"p99 {percentile(values, 0.99):.2f} ms")
    floor = asyncio.run(baseline(meter))
    print(f"  for scale, a bare Textual Input on this machine now: median {statistics.median(floor):.2f} ms, "
          f"p99 {percentile(floor, 0.99):.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, int(sys.argv[2]) if len(sys.argv) > 2 else 200)
