from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from tests.fuzzing import PROFILE
from tui.domain.instrument import bundled_instrument_path, load_instrument

ROOT = Path(__file__).resolve().parent.parent

# Property tests: the same examples on every run (derandomize), nothing read from or written to
# .hypothesis/. SURVEYDESK_FUZZ=N selects "fuzz": random examples, N times as many (tests/fuzzing.py).
settings.register_profile("seeded", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)
settings.load_profile(PROFILE)


# Layers that drive the whole app (Pilot, SVG snapshots, tmux) take seconds per test: in the fast lane
# (pytest -m "not slow") only the ones marked smoke run, one or two per screen. The full suite, which the
# README's test command and CI run, has them all.
WHOLE_APP_LAYERS = ("pilot", "snapshot", "terminal")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = Path(str(item.path)).parent.name
        if layer in WHOLE_APP_LAYERS and item.get_closest_marker("smoke") is None:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    mark = item.get_closest_marker("unavailable")
    if mark is not None:
        from tests.requires import unavailable

        unavailable(mark.kwargs["reason"])


def pytest_sessionfinish() -> None:
    """Collect the garbage of the session's apps before an xdist worker reports that it is done.
    After that report the controller gives the worker 5 s to end (execnet) and then sends it SIGINT;
    pytest's own five collections at the end, over the millions of objects the Pilot tests leave
    for the collector, took longer, so the SIGINT landed in Hypothesis's gc callback as a
    PytestUnraisableExceptionWarning (KeyboardInterrupt) in some runs. Here it is before the report."""
    import gc

    gc.collect()


@pytest.fixture(scope="session")
def bundled():
    return load_instrument(bundled_instrument_path())


@pytest.fixture(scope="session")
def printable(bundled):
    """The bundled instrument ready for real forms: its incomplete HSC A5 finished in the demo's
    (labelled) words, as the demo study does."""
    from tui.domain.demo import demo_instrument

    return demo_instrument(bundled)


@pytest.fixture(scope="session")
def printable_file(tmp_path_factory, printable) -> Path:
    """``printable`` as an instrument file, for the CLI's --instrument."""
    from tui.domain.instrument import save_instrument

    path = tmp_path_factory.mktemp("instrument") / "printable.toml"
    save_instrument(printable, path)
    return path


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch):
    # A blinking cursor makes screenshots and snapshots nondeterministic.
    try:
        from textual.widgets import Input
    except ImportError:  # pragma: no cover
        return
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)


@pytest.fixture(scope="module")
def _analysis_study_built(tmp_path_factory) -> Path:
    from tests.analysis_study import build_study

    return build_study(tmp_path_factory.mktemp("analysis") / "study.db")


@pytest.fixture
def analysis_study(tmp_path, _analysis_study_built) -> Path:
    """tmp_path/study.db: a copy of the two-wave study of tests/analysis_study.py, built once per module."""
    import shutil

    return Path(shutil.copy(_analysis_study_built, tmp_path / "study.db"))


@pytest.fixture
def study_2014(tmp_path, bundled):
    """A study file with one wave, 2014, of the bundled instrument."""
    from tui.domain.store import Study

    study = Study.open(tmp_path / "study.db")
    study.add_wave("2014", bundled, operator="RS")
    yield study
    study.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def study_location(request, tmp_path):
    """Where a new study goes, once per backend: an SQLite file, or a new PostgreSQL database."""
    from tests.backends import location

    with location(request.param, tmp_path) as where:
        yield where
