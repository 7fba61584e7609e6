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
from tui.screens.instrument import InstrumentScreen


class SurveyDeskApp(App[int]):
    CSS_PATH = ["styles/app.tcss"]
    TITLE = "SurveyDesk"

    MODES = {
        "instrument": InstrumentScreen,
    }
    DEFAULT_MODE = "instrument"

    BINDINGS = [
        Binding("f2", "switch_mode('instrument')", "Instrument", id="mode-instrument"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(self, *, instrument: Instrument, instrument_path: Path, study_path: Path):
        super().__init__()
        self.instrument = instrument
        self.instrument_path = instrument_path
        self.study_path = study_path

    def on_mount(self) -> None:
        self.sub_title = f"{self.instrument.title} {self.instrument.version} · {self.study_path}"


def make_app(
    *,
    study_path: Path | str = "surveydesk.db",
    instrument_path: Path | str | None = None,
) -> SurveyDeskApp:
    path = Path(instrument_path) if instrument_path else default_instrument_path()
    instrument = load_instrument(path)
    return SurveyDeskApp(instrument=instrument, instrument_path=path, study_path=Path(study_path))
