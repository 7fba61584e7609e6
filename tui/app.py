"""The SurveyDesk Textual app, and the one factory that builds it for the CLI and the tests.

Each job is an app *mode* with its own screen stack (instrument, entry, print, analysis,
builder), switched with F-keys that work even while an Input has focus. Screens read shared
state from the app (``self.app.instrument``, ``self.app.study``) and call the domain.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui.domain.bundled import default_instrument_path
from tui.domain.instrument import Instrument
from tui.domain.instrument_toml import load_instrument
from tui.screens.builder import BuilderScreen
from tui.screens.dialogs import ConfirmDialog
from tui.screens.instrument import InstrumentScreen


class SurveyDeskApp(App[int]):
    CSS_PATH = ["styles/app.tcss", "styles/dialogs.tcss", "styles/builder.tcss"]
    TITLE = "SurveyDesk"

    MODES = {
        "instrument": InstrumentScreen,
        "builder": BuilderScreen,
    }
    DEFAULT_MODE = "instrument"

    # Where the builder keeps instrument files (relative to the working folder).
    instruments_dir = Path("instruments")

    BINDINGS = [
        Binding("f2", "switch_mode('instrument')", "Instrument", id="mode-instrument"),
        Binding("f6", "switch_mode('builder')", "Builder", id="mode-builder"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(self, *, instrument: Instrument, instrument_path: Path, study_path: Path):
        super().__init__()
        self.instrument = instrument
        self.instrument_path = instrument_path
        self.study_path = study_path

    def on_mount(self) -> None:
        self.sub_title = f"{self.instrument.title} {self.instrument.version} · {self.study_path}"

    def waves_using(self, instrument_id: str, version: str) -> list[str]:
        """Names of the waves whose frozen copy of the instrument is this version."""
        study = getattr(self, "study", None)
        return list(study.waves_using(instrument_id, version)) if study is not None else []

    def unsaved_work(self) -> list[str]:
        """What quitting now would lose: screens of every mode may answer ``unsaved_work()``."""
        found = []
        for stack in self._screen_stacks.values():  # every mode's screens, not only the one shown
            for screen in stack:
                describe = getattr(screen, "unsaved_work", None)
                if describe is not None and (text := describe()):
                    found.append(text)
        return found

    async def action_quit(self) -> None:
        pending = self.unsaved_work()
        if not pending or self.screen.id == "confirm-quit":  # ctrl+q twice: quit anyway
            self.exit()
            return
        self.push_screen(
            ConfirmDialog("Quit without saving?", "\n".join(pending) + "\nctrl+q again also quits.",
                          yes="Quit", no="Stay", id="confirm-quit"),
            lambda yes: self.exit() if yes else None,
        )


def make_app(
    *,
    study_path: Path | str = "surveydesk.db",
    instrument_path: Path | str | None = None,
) -> SurveyDeskApp:
    path = Path(instrument_path) if instrument_path else default_instrument_path()
    instrument = load_instrument(path)
    return SurveyDeskApp(instrument=instrument, instrument_path=path, study_path=Path(study_path))
