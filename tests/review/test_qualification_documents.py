"""Qualification documents: one per application, numbered per year with a random checked part
(finding 20), verifiable with the holder's name masked (NAT-10)."""

from __future__ import annotations

import pytest
from review_service.domain.documents import (
    NUMBER_ALPHABET,
    document_id_for,
    document_number,
    masked,
    new_document_number,
    number_check,
)


def test_document_id_is_derived_from_the_application() -> None:
    assert document_id_for("a1") == document_id_for("a1") != document_id_for("a2")


def test_finding_20_a_document_number_keeps_its_prefix_and_year_and_its_own_part_is_random_and_checked() -> None:
    """Finding 20: "Document numbers are sequential and the public check can be enumerated". The part
    that names the document is 11 random characters and a check character; one mistyped character, or
    two neighbours swapped, no longer checks."""
    checked = number_check("7KQ3M9XF2A4")
    assert document_number("平人社职称", 2026, "7KQ3M9XF2A4") == f"平人社职称〔2026〕7KQ3-M9XF-2A4{checked}号"
    issued = {new_document_number("平人社职称", 2026) for _ in range(200)}
    assert len(issued) == 200
    body = "7KQ3M9XF2A4"
    check = number_check(body)
    for i in range(len(body)):
        for other in NUMBER_ALPHABET:
            if other != body[i]:
                assert number_check(body[:i] + other + body[i + 1 :]) != check
    swapped = body[1] + body[0] + body[2:]
    assert number_check(swapped) != check
    with pytest.raises(ValueError):
        document_number("平人社职称", 2026, "00001")


def test_public_verification_shows_only_the_first_character_of_the_holders_name_nat10() -> None:
    assert masked("张三") == "张*"
    assert masked("欧阳明远") == "欧***"
    assert masked("李") == "李*"
    assert masked("") == ""
