"""Property test: random returns round-trip store -> export -> CSV import unchanged."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tui.domain.analysis import WaveReturns, export_wave
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import NewReturn, Study
from tui.domain.store.returns_csv import import_returns_csv

pytestmark = pytest.mark.slow  # property test: store, export, import: not in the fast lane (pytest -m "not slow")

INSTRUMENT = load_instrument(bundled_instrument_path())
COUNTER = itertools.count()


@st.composite
def a_return(draw) -> NewReturn:
    school = draw(st.sampled_from(INSTRUMENT.key.school_letters))
    role = draw(st.sampled_from(INSTRUMENT.key.role_digits))
    answers = {}
    for bank in INSTRUMENT.banks:
        if draw(st.integers(0, 9)) == 0:
            answers[bank.id] = ans.BankAnswer.missing()
        else:
            marked = draw(st.sets(st.integers(1, bank.statement_count)))
            answers[bank.id] = ans.BankAnswer(True, frozenset(marked))
    return NewReturn("2014", f"{school}{role}", answers)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(a_return(), min_size=1, max_size=25))
def test_store_export_import_round_trip(tmp_path, returns):
    run = tmp_path / str(next(COUNTER))
    source = Study.open(run / "a.db")
    source.add_wave("2014", INSTRUMENT, operator="RS")
    source.save_returns(returns, operator="JS")
    stored = source.returns_wide("2014")
    result = export_wave(WaveReturns("2014", INSTRUMENT, stored), exports_dir=run / "exports", formats=("csv",),
                         include_raw=True)
    (raw,) = [f for f in result.files if f.name.startswith("research-returns-wide")]
    target = Study.open(run / "b.db")
    target.add_wave("2014", INSTRUMENT, operator="RS")
    import_returns_csv(target, raw, operator="RS")
    codes = INSTRUMENT.codes()
    again = target.returns_wide("2014")
    assert again.select(["participant_code", *codes]).equals(stored.select(["participant_code", *codes]))
    # and each stored return is exactly what was given
    for given_return, record in zip(returns, target.find_returns("2014"), strict=True):
        assert record.answers == dict(given_return.answers)
    source.close()
    target.close()
