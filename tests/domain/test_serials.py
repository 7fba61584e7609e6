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


# --- page codes: serial + page + check, on every printed page's barcode ----------------------------

def test_page_code_round_trip():
    from tui.domain.returns import make_page_code, parse_page_code

    for n, page in ((1, 1), (10429, 2), (999999, 99), (1234567, 6)):
        code = make_page_code(make_serial(n), page)
        assert parse_page_code(code) == (make_serial(n), page)
    assert make_page_code("0010429", 2).startswith("001042902")


def test_every_single_digit_slip_in_a_page_code_is_caught():
    from tui.domain.returns import make_page_code, parse_page_code

    code = make_page_code(make_serial(40721), 3)
    for i, d in itertools.product(range(len(code)), "0123456789"):
        if code[i] != d:
            with pytest.raises(SerialError):
                parse_page_code(code[:i] + d + code[i + 1:])


def test_a_bare_serial_is_not_a_page_code():
    from tui.domain.returns import parse_page_code

    with pytest.raises(SerialError, match="not a page code"):
        parse_page_code(make_serial(40721))


def test_a_page_barcode_scanned_at_the_keyboard_gives_its_serial():
    from tui.domain.returns import make_page_code

    assert normalise_serial(make_page_code("0010429", 4)) == "0010429"
    assert parse_serial(make_page_code(make_serial(1234567), 1)) == 1234567


def test_serial_numbers_stop_before_a_serial_could_look_like_a_page_code():
    with pytest.raises(ValueError, match="stop at"):
        make_serial(10 ** 8)
