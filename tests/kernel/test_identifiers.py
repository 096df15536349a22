"""ID-card numbers (GB 11643) and credit codes (GB 32100, ORG-3), checked once for every service."""

from __future__ import annotations

from datetime import date

from zhicheng_kernel.identifiers import (
    credit_code_is_valid,
    credit_code_with_check,
    id_card_is_valid,
    id_card_with_check,
    normalise_id_card,
)

VALID = id_card_with_check("62080219800101123")


def test_a_well_formed_number_is_valid() -> None:
    assert id_card_is_valid(VALID)


def test_full_width_digits_become_the_same_ascii_number() -> None:
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert not id_card_is_valid(full_width)  # never as typed
    assert normalise_id_card(full_width) == VALID
    assert normalise_id_card(" " + VALID.lower() + " ") == VALID


def test_digits_of_other_scripts_are_refused() -> None:
    arabic_indic = "٦" + VALID[1:]
    assert not id_card_is_valid(arabic_indic)
    assert not id_card_is_valid(normalise_id_card(arabic_indic))  # NFKC keeps them: still not ASCII


def test_an_unknown_province_is_refused() -> None:
    assert not id_card_is_valid(id_card_with_check("99080219800101123"))


def test_an_impossible_or_future_birth_date_is_refused() -> None:
    assert not id_card_is_valid(id_card_with_check("62080219800231123"))
    assert not id_card_is_valid(id_card_with_check("62080218990101123"))
    born_2030 = id_card_with_check("62080220300101123")
    assert id_card_is_valid(born_2030)
    assert not id_card_is_valid(born_2030, today=date(2026, 11, 29))


def test_a_wrong_check_character_is_refused() -> None:
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    assert not id_card_is_valid(wrong)


def test_credit_codes_follow_gb_32100() -> None:
    code = credit_code_with_check("91620800MA7" + "ABCDE9")
    assert credit_code_is_valid(code)
    assert not credit_code_is_valid(code[:17] + ("0" if code[17] != "0" else "1"))
    assert not credit_code_is_valid(code.replace("9", "９"))
