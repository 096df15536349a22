"""Qualification documents: one per application, numbered per year, verifiable with the holder's
name masked (NAT-10)."""

from __future__ import annotations

from review_service.domain.documents import document_id_for, document_number, masked


def test_document_number_is_sequenced_per_year_and_id_derived_from_application() -> None:
    assert document_number("平人社职称", 2026, 1) == "平人社职称〔2026〕00001号"
    assert document_id_for("a1") == document_id_for("a1") != document_id_for("a2")


def test_public_verification_shows_only_the_first_character_of_the_holders_name_nat10() -> None:
    assert masked("张三") == "张*"
    assert masked("欧阳明远") == "欧***"
    assert masked("李") == "李*"
    assert masked("") == ""
