"""A demo study a newcomer can explore in a minute. Clearly synthetic.

Five schools (A and B primary, C junior, D and E infant, as in the thesis), 68 staff asked in
each wave, two waves shaped like the thesis's: January 2014 with 31 returns (HD 10, SLT 9, T 12)
and January 2015 with 49 (HD 10, SLT 13, T 26). The 2014 wave uses the instrument as it stood
then (the first bank still called "Joint Professional Development"), so wave comparison has two
instrument versions to match by statement id. Every 2014 return was keyed twice and verified;
in 2015 some still await second keying and a few discrepancies are open. The answers are drawn
at random with the patterns the thesis describes; they are not the thesis's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tui.domain.demo.synthetic import synthetic_returns
from tui.domain.instrument import Instrument
from tui.domain.returns import answers as ans
from tui.domain.store import IssuedForm, Study

if TYPE_CHECKING:
    import polars as pl

LABEL = "SYNTHETIC DEMO: made-up returns for trying SurveyDesk, not research data"
SCHOOL_NAMES = {  # the secret key, so the anonymity of every output can be tried out
    "A": "Alder Primary (demo)", "B": "Beech Primary (demo)", "C": "Cedar Junior (demo)",
    "D": "Damson Infant (demo)", "E": "Elm Infant (demo)",
}
# Staff asked at each school, by role digit 1-5 (governor, HT/DHT, senior, middle leader, teacher): 68 in all.
POPULATION = {
    "A": (1, 2, 3, 4, 6), "B": (1, 2, 3, 4, 6), "C": (1, 2, 3, 3, 4), "D": (1, 2, 2, 3, 4), "E": (1, 2, 2, 2, 4),
}
# Who returned a form: per role digit, how many, as the thesis's group sizes.
RETURNED = {
    "2014": {1: 2, 2: 8, 3: 9, 4: 5, 5: 7},     # HD 10, SLT 9, T 12 = 31
    "2015": {1: 0, 2: 10, 3: 12, 4: 12, 5: 14},  # HD 10, SLT 12, T 26 = 48 ... plus one below
}
FIRST, SECOND, RESOLVER, RESEARCHER = "JS", "MK", "AB", "RS"


class Clock:
    """Plausible timestamps for the demo's audit trail: each call moves on a minute and a half."""

    def __init__(self, start: datetime):
        self.at = start

    def __call__(self) -> str:
        self.at += timedelta(seconds=90)
        return self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def jump(self, to: datetime) -> None:
        self.at = to


# The demo's own ending for statements the instrument leaves unfinished (HSC A5's is lost in the
# source), labelled in the text itself so that nobody takes it for the original wording.
DEMO_WORDING = {"hsc.5": "Governors are wary of working closely with other schools"}
DEMO_LABEL = " (demo wording)"


def demo_instrument(instrument: Instrument) -> Instrument:
    """The instrument with every incomplete statement finished in the demo's own, labelled, words."""
    if not instrument.incomplete_refs():
        return instrument
    banks = []
    for bank in instrument.banks:
        sections = tuple(replace(section, statements=tuple(
            replace(s, text=DEMO_WORDING.get(s.id, s.text) + DEMO_LABEL, incomplete=False,
                    note=f"The demo's wording, not the original: {s.note}".strip()) if s.incomplete else s
            for s in section.statements)) for section in bank.sections)
        banks.append(replace(bank, sections=sections))
    return instrument.with_banks(tuple(banks))


def instrument_2014(instrument: Instrument) -> Instrument:
    """The instrument as the 2014 letter named it: the first bank was 'Joint Professional Development'."""
    jpd = instrument.banks[0]
    return replace(instrument, version="2014", banks=(replace(jpd, title="Joint Professional Development"),)
                   + instrument.banks[1:])


def build_demo(path: str | Path, instrument: Instrument, *, seed: int = 2014,
               progress: Callable[[str], None] = lambda _: None) -> Study:
    """Create the demo study at ``path`` (which must not exist yet) and return it open."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    instrument = demo_instrument(instrument)
    clock = Clock(datetime(2013, 12, 16, 9, 0, tzinfo=UTC))
    study = Study.open(path, now=clock)
    study.set_setting("label", LABEL, operator=RESEARCHER)
    for letter, name in SCHOOL_NAMES.items():
        study.set_school_name(letter, name, operator=RESEARCHER)
    population = sum(sum(v) for v in POPULATION.values())
    waves = {"2014": (instrument_2014(instrument), datetime(2014, 1, 6, 8, 30, tzinfo=UTC), 0.0),
             "2015": (instrument, datetime(2015, 1, 5, 8, 30, tzinfo=UTC), 0.08)}
    for number, (name, (inst, opens, lift)) in enumerate(waves.items()):
        clock.jump(opens - timedelta(days=10))
        study.add_wave(name, inst, operator=RESEARCHER, opens=opens.date().isoformat(),
                       closes=(opens + timedelta(days=25)).date().isoformat(), population=population)
        progress(f"wave {name}: issuing {population} forms")
        codes = [f"{school}{role}" for school, counts in POPULATION.items()
                 for role, count in enumerate(counts, start=1) for _ in range(count)]
        forms = study.issue_forms(name, codes, operator=RESEARCHER)
        returned = _returned_forms(forms, RETURNED[name], extra=1 if name == "2015" else 0)
        progress(f"wave {name}: keying {len(returned)} returns")
        wide = synthetic_returns(inst, 0, wave=name, seed=seed + number, lift=lift,
                                 codes=[_code(f) for f in returned])
        clock.jump(opens + timedelta(days=27))
        _key_wave(study, inst, name, returned, wide, second_share=1.0 if name == "2014" else 0.7,
                  open_discrepancies=(name == "2015"))
    return study


def _returned_forms(forms: list[IssuedForm], per_role: dict[int, int], extra: int) -> list[IssuedForm]:
    """Pick whose forms came back: the wanted number per role, spread across the schools."""
    by_role: dict[int | None, list[IssuedForm]] = {}
    for form in forms:
        by_role.setdefault(form.role, []).append(form)
    chosen = []
    for role, count in per_role.items():
        pool = sorted(by_role.get(role, []), key=lambda f: (f.number % 5, f.number))
        chosen.extend(pool[:count + (extra if role == 3 else 0)])
    return sorted(chosen, key=lambda f: f.number)


def _code(form: IssuedForm) -> str:
    assert form.participant_code is not None  # the demo issues coded forms only
    return form.participant_code


def _key_wave(study: Study, instrument: Instrument, wave: str, forms: list[IssuedForm], wide: pl.DataFrame, *, second_share: float,
              open_discrepancies: bool) -> None:
    codes = instrument.codes()
    second_due = int(round(len(forms) * second_share))
    slips = 0
    for index, (form, row) in enumerate(zip(forms, wide.select(codes).iter_rows(), strict=True)):
        marked = [code for code, value in zip(codes, row, strict=True) if value]
        missing = sorted({instrument.find(c).bank.abbreviation for c, v in zip(codes, row, strict=True) if v is None})
        answers = ans.from_codes(instrument, marked, missing)
        keys = len(marked) + 4 * len(instrument.banks) + 3
        saved = study.save_return(wave, _code(form), answers, serial=form.serial, operator=FIRST,
                                  keystrokes=keys, seconds=70 + (index * 37) % 50)
        if index >= second_due:
            continue
        # Every seventh paper, the second keyer reads one statement differently.
        second = dict(answers)
        if index % 7 == 3:
            bank = next(b for b in instrument.banks if answers[b.id].present)
            flipped = set(answers[bank.id].marked) ^ {1 + index % bank.statement_count}
            second[bank.id] = ans.BankAnswer(True, frozenset(flipped))
            slips += 1
        result = study.save_second_pass(saved.record.id, second, operator=SECOND, keystrokes=keys,
                                        seconds=65 + (index * 29) % 45)
        # Resolve against "the paper": the first keyer was right. Leave the last few open in 2015.
        for discrepancy in result.discrepancies:
            if open_discrepancies and slips > 1:
                continue
            study.resolve(discrepancy.id, discrepancy.first_value, operator=RESOLVER)
