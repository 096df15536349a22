"""Chinese resident ID-card numbers (GB 11643): 18 characters, the last one a checksum."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_card_is_valid(number: str) -> bool:
    """18 characters, a real birth date and the right check character."""
    if not _SHAPE.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17]


def normalise_id_card(raw: str) -> str:
    return raw.strip().upper()
