"""Identifiers with check characters, checked once for every service.

- Resident ID-card numbers, GB 11643-1999: 17 digits and a check character (0-9 or X), an existing
  province code (GB/T 2260) in the first two digits and a real birth date in digits 7-14.
- Unified social credit codes, GB 32100-2015 (ORG-3): 18 characters from a 31-letter alphabet, the
  last a check character.

Input is NFKC-normalised first (full-width digits and letters become ASCII) and must then consist
of ASCII characters only: Python's `\\d` also matches other scripts' digits, which would let the
same person register twice under two spellings and slip past the blacklist.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
# GB/T 2260 province-level codes (incl. 71 Taiwan, 81 Hong Kong, 82 Macao).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
_EARLIEST_BIRTH = date(1900, 1, 1)

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", re.ASCII)


def normalise_id_card(raw: str) -> str:
    """NFKC (full-width to ASCII), surrounding spaces removed, a lower-case x made upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def id_card_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_card_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_card_is_valid(number: str, *, today: date | None = None) -> bool:
    """A normalised number: ASCII shape, a province that exists, a real birth date (not after
    `today` when given) and the right check character."""
    if not _ID_SHAPE.fullmatch(number):
        return False
    if int(number[:2]) not in _PROVINCES:
        return False
    born = id_card_birth_date(number)
    if born is None or born < _EARLIEST_BIRTH or (today is not None and born > today):
        return False
    return id_card_check_character(number[:17]) == number[17]


def id_card_with_check(first17: str) -> str:
    return first17 + id_card_check_character(first17)


def normalise_credit_code(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().upper()


def _credit_check(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_is_valid(code: str) -> bool:
    """ORG-3: a unified social credit code per GB 32100-2015, its 18th character a check character."""
    return bool(_CREDIT_SHAPE.fullmatch(code)) and _credit_check(code[:17]) == code[17]


def credit_code_with_check(first17: str) -> str:
    return first17 + _credit_check(first17)
