from __future__ import annotations

import itertools

import pytest

from tui.domain.returns import SerialError, make_serial, normalise_serial, parse_serial


def test_round_trip():
    for n in (1, 9, 10, 12345, 999999):
        assert parse_serial(make_serial(n)) == n


def test_every_single_digit_slip_is_caught():
    serial = make_serial(40721)
    for i, d in itertools.product(range(len(serial)), "0123456789"):
        if serial[i] != d:
            with pytest.raises(SerialError, match="check digit"):
                parse_serial(serial[:i] + d + serial[i + 1:])


def test_every_adjacent_swap_is_caught():
    serial = make_serial(40721)
    for i in range(len(serial) - 1):
        if serial[i] != serial[i + 1]:
            swapped = serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:]
            with pytest.raises(SerialError):
                parse_serial(swapped)


@pytest.mark.parametrize("bad", ["", "12a4", "7", "0000000", "١٢٣٤"])
def test_malformed(bad):
    with pytest.raises(SerialError):
        parse_serial(bad)


def test_normalise_accepts_spaces():
    serial = make_serial(77)
    assert normalise_serial(serial[:3] + " " + serial[3:]) == serial
