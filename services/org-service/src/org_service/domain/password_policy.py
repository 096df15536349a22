"""What a new password must be: long (twelve characters or more — a passphrase of words or Chinese
characters is welcome), not built on the holder's username or ID number, not a mobile number with a
letter or two, not one of the passwords every attacker tries first, and not one character repeated.

No composition rules (upper case, digits, symbols): length and the list of common passwords stop
the guesses that matter, and a phrase a person remembers beats a dressed-up short word.
"""

from __future__ import annotations

import re
import unicodedata

from .common_passwords import COMMON_PASSWORDS

MIN_LENGTH = 12
MAX_LENGTH = 128

_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
_DRESSING = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def password_weakness(password: str, *, username: str, id_card_number: str | None) -> str | None:
    """Why `password` is too weak, in Chinese for the holder; None when it is acceptable."""
    folded = _folded(password)
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位（可使用一句好记的短语，如“崆峒山上的杏花三月开满了”）。"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 位。"
    if len(set(folded)) <= 2:
        return "密码不能由一两个字符重复组成。"
    if username and _folded(username) in folded:
        return "密码不能包含用户名。"
    plain = folded.replace(" ", "")
    if id_card_number and (_folded(id_card_number) in plain or _folded(id_card_number)[-6:] in plain):
        return "密码不能包含身份证号码。"
    if _ID_NUMBER.search(plain):
        return "密码不能包含身份证号码。"
    digits = re.sub(r"\D", "", plain)
    if _MOBILE.fullmatch(digits) and len(plain) - len(digits) <= 3:
        return "密码不能是手机号码。"
    core = _DRESSING.sub("", folded)
    if folded in COMMON_PASSWORDS or plain in COMMON_PASSWORDS or core in COMMON_PASSWORDS:
        return "该密码过于常见，容易被猜中，请换一个。"
    return None
