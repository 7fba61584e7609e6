"""The store refuses what it cannot keep faithfully: impossible dates, absurd populations, names
with control characters, a blank form keyed as another school's return."""

from __future__ import annotations

import pytest

from tui.domain.returns import answers as ans
from tui.domain.store import InputError, Study


@pytest.fixture
def study(tmp_path):
    with Study.open(tmp_path / "s.db") as study:
        yield study


@pytest.mark.parametrize("opens", ["2014-13-45", "2014-02-30", "2014-00-10", "14-01-06", "2014-1-6"])
def test_impossible_dates_are_refused(study, bundled, opens):
    with pytest.raises(InputError, match=f"wave opens date '{opens}' must be a real date written YYYY-MM-DD"):
        study.add_wave("2014", bundled, operator="RS", opens=opens)
    assert study.waves() == []


def test_a_real_leap_day_is_a_date(study, bundled):
    assert study.add_wave("2016", bundled, operator="RS", opens="2016-02-29").opens == "2016-02-29"


@pytest.mark.parametrize("population", [10**23, 2**63, 0, -5])
def test_population_out_of_range_is_refused_not_overflowed(study, bundled, population):
    with pytest.raises(InputError, match="population must be a whole number of people from 1 to 10,000,000"):
        study.add_wave("2014", bundled, operator="RS", population=population)
    assert study.waves() == []


@pytest.mark.parametrize("name", ["2015\n   7 2015-01-01 XX insert return 1", "2015\x1b[2J", "a\x00b",
                                  "evil\u202egnirps", "tab\there", "x\x9by"])
def test_control_characters_in_names_are_refused(study, bundled, name):
    with pytest.raises(InputError, match="holds a control character"):
        study.add_wave(name, bundled, operator="RS")
    with pytest.raises(InputError, match="the name of school A holds a control character"):
        study.set_school_name("A", f"Hill Top{name}", operator="RS")
    with pytest.raises(InputError, match="the study label holds a control character"):
        study.set_setting("label", name, operator="RS")
    assert study.waves() == [] and study.school_names() == {}


def test_markup_like_names_are_ordinary_names(study, bundled):
    for name in ("[/x]", "[bold red]alarm", "Spring [2015]"):
        assert study.add_wave(name, bundled, operator="RS").name == name


def test_a_blank_form_sent_to_one_school_is_refused_as_another_schools_return(study, bundled):
    study.add_wave("2015", bundled, operator="RS")
    (blank_a,) = study.issue_forms("2015", [("A", None)], operator="RS")
    (loose,) = study.issue_forms("2015", [None], operator="RS")
    answers = ans.from_codes(bundled, ["JPD A1"])
    with pytest.raises(InputError, match=f"serial {blank_a.serial} is a blank form sent to school A, not B"):
        study.save_return("2015", "B5", answers, operator="JS", serial=blank_a.serial)
    assert study.find_returns("2015") == []
    assert study.save_return("2015", "A5", answers, operator="JS", serial=blank_a.serial).record.serial_issued
    assert study.save_return("2015", "B5", answers, operator="JS", serial=loose.serial).record.school == "B"
