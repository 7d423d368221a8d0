"""Durations as users write them (``7d``, ``12h``, ``30m``, ``45s``): a whole number and one
unit, read into seconds and written back the same way."""

from __future__ import annotations

import re

from amplify_tasks.errors import SettingsError

#: Seconds per unit.
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(\d{1,9})([dhms])")


def parse_duration(text: str, *, what: str = "--expires") -> int:
    """The seconds ``text`` says; SettingsError (one line, naming ``what``) when it is no
    duration or zero."""
    found = _DURATION.fullmatch(text.strip().lower())
    seconds = int(found.group(1)) * UNITS[found.group(2)] if found else 0
    if seconds <= 0:
        raise SettingsError(
            f"{what} {text!r} is not a duration: write a whole number and a unit, "
            "d, h, m or s (7d, 12h, 30m, 45s)"
        )
    return seconds


def format_duration(seconds: int) -> str:
    """``seconds`` in the largest unit that divides it (``604800`` -> ``7d``)."""
    for unit, size in UNITS.items():
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
