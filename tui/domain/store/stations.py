"""Who keys and where: the operator's id and the station's name. Apart from the study so that the
app can check them before it opens the study (and before SQLAlchemy is imported)."""

from __future__ import annotations

import getpass
import os
import re
import socket

from tui.domain.store.errors import InputError

OPERATOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")


def check_operator(operator: str) -> str:
    op = (operator or "").strip()
    if not OPERATOR.match(op):
        raise InputError(
            f"operator {operator!r} must be initials or a short name (letters and digits, at most 16), e.g. JS"
        )
    return op


def default_operator() -> str:
    """Who is at the keyboard: $SURVEYDESK_OPERATOR, else the login name (made a valid operator id)."""
    name = os.environ.get("SURVEYDESK_OPERATOR") or getpass.getuser() or "operator"
    return re.sub(r"[^A-Za-z0-9._-]", "", name)[:16] or "operator"


def default_station() -> str:
    """This computer's name, as other stations are told it (the app may name the station otherwise)."""
    return clean_station(socket.gethostname())


def station_name() -> str:
    """This station's name as other stations are told it: $SURVEYDESK_STATION, else the computer's name."""
    named = os.environ.get("SURVEYDESK_STATION")
    return clean_station(named) if named else default_station()


def clean_station(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable()).strip()[:64] or "unnamed"
