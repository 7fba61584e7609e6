"""The SurveyDesk Textual app, and the one factory that builds it for the CLI and the tests.

Each job is an app *mode* with its own screen stack (instrument, entry, print, analysis,
builder), switched with F-keys that work even while an Input has focus. Screens read shared
state from the app (``self.app.instrument``, ``self.app.study``) and call the domain.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument, default_instrument_path, load_instrument
from tui.domain.names import printable
from tui.domain.store import check_operator, check_study_file, default_operator, is_server_url, station_name
from tui.screens.instrument import InstrumentScreen
from tui.widgets import ordered_keys
from tui.widgets.mode_bar import MODE_KEYS

if TYPE_CHECKING:
    from tui.domain.store import Study, Wave
    from tui.screens.builder import BuilderScreen


def opened_later(module: str, name: str) -> Callable[[], Screen[object]]:
    """A mode's screen, imported when the mode is first opened: start-up imports only the first
    screen (entry, print, analysis and the builder brought a third of the start-up time)."""
    def build() -> Screen[object]:
        screen: Screen[object] = getattr(importlib.import_module(f"tui.screens.{module}"), name)()
        return screen
    return build


class SurveyDeskApp(App[int]):
    # Only what every screen shares; each screen and the dialogs carry their own (tui/styles/__init__.py).
    CSS_PATH = ["styles/app.tcss"]
    TITLE = "SurveyDesk"

    MODES = {
        "instrument": InstrumentScreen,
        "entry": opened_later("entry", "EntryScreen"),
        "print": opened_later("printing", "PrintScreen"),
        "analysis": opened_later("analysis", "AnalysisScreen"),
        "builder": opened_later("builder", "BuilderScreen"),
    }
    DEFAULT_MODE = "instrument"

    # Where the builder keeps instrument files, and where exports and reports go
    # (relative to the working folder).
    instruments_dir = Path("instruments")
    exports_dir = Path("exports")

    MODE_KEYS = MODE_KEYS  # the F-keys of the modes, in the order the ModeBar shows them

    BINDINGS = [
        # The mode keys live in the ModeBar row; the footer keeps room for each screen's own keys.
        *(Binding(key, f"switch_mode('{mode}')", label, show=False, id=f"mode-{mode}")
          for key, mode, label in MODE_KEYS),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        # Every screen's keys, one key away (the footer holds only what fits at 80 columns).
        Binding("f1,f10,question_mark", "keys", "Keys", show=False, id="keys"),
    ]

    def __init__(self, *, instrument: Instrument, instrument_path: Path, study: Study | Path, operator: str,
                 wave: str | None = None):
        """``study``: the open study, or the path of an SQLite study file (already checked with
        check_study_file) to open once the first frame is drawn: the opening and SQLAlchemy's import
        were a third of start-up."""
        super().__init__()
        self.instrument = instrument
        self.instrument_path = instrument_path
        self.operator = operator
        self._study: Study | None = None if isinstance(study, Path) else study
        self._study_file = study if isinstance(study, Path) else None
        self._wave_name = wave
        # A study the app could not open after its first frame: tui.commands.open_app reports it.
        self.failure: SurveyDeskError | None = None
        self._thresholds: tuple[int, int, int] | None = None  # the collector's, before freeze_long_lived
        self._closed = False
        self._switch_interval = 0.005
        self._gc_lock = threading.Lock()

    @property
    def study(self) -> Study:
        """The study; opened at first use if the app was given its file (after the first frame, or
        sooner if a key press or a test asks for it first)."""
        if self._study is None:
            assert self._study_file is not None
            self._study = open_study(self._study_file)
            self._wave_name = self._wave_name or self._study.working_wave()
        return self._study

    @property
    def study_path(self) -> Path | None:
        return self._study_file or self.study.path

    @property
    def wave_name(self) -> str | None:
        """The working wave: the one named at start, else the study's current wave, else its newest."""
        if self._study is None:
            self.study  # noqa: B018 - opening the study settles the working wave
        return self._wave_name

    @wave_name.setter
    def wave_name(self, name: str | None) -> None:
        if self._study is None:
            self.study  # noqa: B018 - opened first, so that opening does not undo this choice
        self._wave_name = name

    def on_mount(self) -> None:
        if self._study is None and self._study_file is not None:
            self.sub_title = printable(f"{self._study_file.name} · opening the study…")
            self.call_after_refresh(self.open_after_first_frame)
        else:
            self.refresh_title()
            self.call_after_refresh(self.import_ahead)

    def open_after_first_frame(self) -> None:
        """Open the study once the first frame is on the screen (a key pressed sooner opens it: on_event)."""
        if self.open_or_end():
            self.import_ahead()

    @work(thread=True, exit_on_error=False, group="import-ahead")
    def import_ahead(self) -> None:
        """Import polars and the analysis modules while the person reads the first screen: the first
        F5 waited for them, 0.2-0.3 s of its 0.5 s target (bench/analysis_screen_bench.py). After the
        first frame and the study's opening, so start-up does not wait for them."""
        importlib.import_module("tui.domain.analysis")
        # The modules just imported live as long as the app: frozen, a full collection during the
        # first F5 no longer walks them (it added 0.1-0.2 s to one opening in three).
        self.freeze_long_lived()

    def freeze_long_lived(self) -> None:
        """Once the analysis modules are imported, when the analysis screen shows its first chart and
        when it has made its tables ahead: the objects alive then (the modules, the app, the study
        read, the tables kept) live as long as the app or its cache, so the collector's passes need
        not walk them again and again; they did, 100-175 ms for a full pass and up to 27 ms for a
        middle one, in the middle of key presses and of opening the analysis screen.
        Frozen objects are still freed when nothing refers to them. Young objects are collected every
        10,000 allocations instead of 700. And a thread waiting for the interpreter gets it after
        1 ms instead of 5: the event loop, woken by a key while a worker makes tables ahead, waited
        up to 5 ms at each wake-up (bench/analysis_screen_bench.py: p99 over every key 39-58 ms
        against 46-61 ms, the first comparison 39-104 ms against 172-201 ms, in the same runs).
        Process-wide (gc, sys), hence here and not in a screen; undone when the app ends."""
        with self._gc_lock:  # may run in a worker (gc itself holds the interpreter lock)
            if self._closed:
                return  # an import ahead finishing after the app: nothing of it to keep
            gc.freeze()
            if self._thresholds is None:
                self._thresholds = gc.get_threshold()
                gc.set_threshold(10_000, 10, 10)
                self._switch_interval = sys.getswitchinterval()
                sys.setswitchinterval(0.001)

    def open_or_end(self) -> bool:
        """Open the study if it is not open yet; a refusal ends the app (tui.commands.open_app prints
        it as one line). Whether the study is open."""
        if self.failure is not None:
            return False
        if self._study is not None:
            return True
        try:
            self.study  # noqa: B018
        except SurveyDeskError as refused:
            self.failure = refused
            self.exit(return_code=1)
            return False
        self.refresh_title()
        return True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self._study is None and self._study_file is not None:
            # A key before the deferred opening: open now, so a refusal ends the app with its one
            # line instead of failing inside whatever handler the key reaches first.
            if not self.open_or_end():
                return
        # Keys for the keying line and the dialogs' fields are applied here, one at a time, in the
        # order they came (tui/widgets/ordered_keys.py says why Textual's own path reorders them).
        if not await ordered_keys.route(self, event):
            await super().on_event(event)

    def refresh_title(self) -> None:
        wave = f"wave {self.wave_name}" if self.wave_name else "no wave yet"
        label = self.study.setting("label")
        # Shown as typed: Header does not read markup, and control characters are written out.
        self.sub_title = printable(f"{label + ' · ' if label else ''}{self.study.name} · {wave} · "
                                   f"operator {self.operator}")

    def current_wave(self) -> Wave | None:
        return self.study.wave(self.wave_name) if self.wave_name else None

    def waves_using(self, instrument_id: str, version: str) -> list[str]:
        """Waves whose frozen copy is this instrument version (the builder must not overwrite it)."""
        return self.study.waves_using(instrument_id, version)

    def on_builder_screen_saved(self, message: BuilderScreen.Saved) -> None:
        """The builder wrote an instrument: it becomes the app's instrument (new waves freeze it)."""
        self.instrument, self.instrument_path = message.instrument, message.path
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, InstrumentScreen):
                    screen.show(message.instrument)

    def on_unmount(self) -> None:
        if self._study is not None:  # never opened (refused, or quit at once): nothing to close
            self._study.close()
        with self._gc_lock:
            self._closed = True
            if self._thresholds is not None:
                # What freeze_long_lived kept from the collector may be collected again: the app's
                # own objects refer to one another and are freed only by it (one process may run
                # many apps, as the tests do).
                gc.unfreeze()
                gc.set_threshold(*self._thresholds)
                sys.setswitchinterval(self._switch_interval)

    def unsaved_work(self) -> list[str]:
        """What quitting now would lose: screens of every mode may answer ``unsaved_work()``."""
        found = []
        for stack in self._screen_stacks.values():  # every mode's screens, not only the one shown
            for screen in stack:
                describe = getattr(screen, "unsaved_work", None)
                if describe is not None and (text := describe()):
                    found.append(text)
        return found

    def action_keys(self) -> None:
        from tui.screens.keys_panel import KeysPanel, keys_of

        screen = self.screen
        if isinstance(screen, KeysPanel):
            screen.dismiss()
            return
        title = getattr(screen, "KEYS_TITLE", f"Keys of this screen ({type(screen).__name__.removesuffix('Screen')})")
        self.push_screen(KeysPanel(title, keys_of(self, screen)))

    def keep_before_quit(self) -> None:
        """Let every screen keep what it can (the entry screen keeps the form on screen as a draft)."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                keep = getattr(screen, "keep_before_quit", None)
                if keep is not None:
                    keep()

    async def action_quit(self) -> None:
        self.keep_before_quit()
        pending = self.unsaved_work()
        if not pending or self.screen.id == "confirm-quit":  # ctrl+q twice: quit anyway
            self.exit()
            return
        from tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog("Quit without saving?", "\n".join(pending) + "\nctrl+q again also quits.",
                          yes="Quit", no="Stay", id="confirm-quit"),
            lambda yes: self.exit() if yes else None,
        )


def make_app(
    *,
    study_path: Path | str = "surveydesk.db",  # or a postgresql:// URL
    instrument_path: Path | str | None = None,
    operator: str | None = None,
    wave: str | None = None,
) -> SurveyDeskApp:
    """The one way the app is built, by the CLI and by the tests. Opens (creating if needed) the
    study; raises InstrumentError or StoreError with a message for the person at the keyboard.

    An SQLite study without a named wave is only checked here (check_study_file: a folder, an
    unreadable file, another program's file, a newer SurveyDesk's study, a network drive) and opened
    after the app's first frame. A named wave needs the study to check it, and a server study's
    refusals need the connection (the network, not the import, is its start-up): both are opened now."""
    path = Path(instrument_path) if instrument_path else default_instrument_path()
    instrument = load_instrument(path)
    operator = check_operator(operator or default_operator())
    study: Study | Path
    if wave is None and not is_server_url(study_path):
        study = Path(study_path)
        check_study_file(study, create=True)
    else:
        study = open_study(study_path)
        if wave is not None:
            study.wave(wave)  # refuse an unknown wave now, with the list of known ones
    return SurveyDeskApp(instrument=instrument, instrument_path=path, study=study, operator=operator, wave=wave)


def open_study(location: Path | str) -> Study:
    """The study the app works on (created if missing), named to other stations keying into it."""
    from tui.domain.store import Study

    study = Study.open(location)
    study.station = station_name()
    return study
