"""Qualification documents: their ids, their numbers, what public verification shows, and revocation."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, not_found

from .events import QualificationDocumentIssued, QualificationDocumentRevoked, Route

DOCUMENT_NAMESPACE = uuid.UUID("3b0c1d8e-8f7a-4d35-9a51-6f1f4c1e2a70")

# How a document says its title was reached (public verification shows it).
ROUTE_NAMES_ZH: dict[str, str] = {
    "committee": "评审委员会评审",
    "employer_assessment": "用人单位考核认定",
    "direct_appointment": "直接认定",
}


def document_id_for(application_id: str) -> str:
    """One qualification document per application: the id is derived, so a second issue collides."""
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"qualification:{application_id}"))


# The part of a document number that names the document (finding 20): random, in Crockford's base 32
# (no I, L, O, U: nothing to misread), 11 characters (55 bits) and a Luhn mod 32 check character.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RANDOM_CHARS = 11


def number_check(body: str) -> str:
    """The Luhn mod 32 check character of `body`: any one mistyped character, and most swaps of two
    neighbours, change it."""
    n = len(NUMBER_ALPHABET)
    total, factor = 0, 2
    for ch in reversed(body):
        addend = factor * NUMBER_ALPHABET.index(ch)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return NUMBER_ALPHABET[(n - total % n) % n]


def document_number(prefix: str, year: int, random_part: str) -> str:
    """E.g. 平人社职称〔2026〕7KQ3-M9XF-2A4C号: the office's prefix and the year for people, then the random
    part (`random_part`, NUMBER_RANDOM_CHARS of NUMBER_ALPHABET) with its check character, in groups of
    four. Nobody can guess another document's number from one they hold (finding 20)."""
    if len(random_part) != NUMBER_RANDOM_CHARS or any(c not in NUMBER_ALPHABET for c in random_part):
        raise ValueError("the random part of a document number is 11 characters of NUMBER_ALPHABET")
    code = random_part + number_check(random_part)
    return f"{prefix}〔{year}〕{code[:4]}-{code[4:8]}-{code[8:]}号"


def new_document_number(prefix: str, year: int) -> str:
    """A fresh document number with a random part from the system's secure random source."""
    return document_number(prefix, year, "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_CHARS)))


def masked(name: str) -> str:
    """The holder's name as public verification shows it: 张三 → 张*, 欧阳明远 → 欧***
    (enough to recognise, not enough to harvest)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def route_zh(route: Route | str) -> str:
    """The route's Chinese name; a document from before routes existed was a committee's."""
    return ROUTE_NAMES_ZH.get(route, ROUTE_NAMES_ZH["committee"])


class ConcludedWithoutCommittee(BaseModel):
    """application-service's ApplicationConcludedWithoutCommittee as review-service reads it: the
    title office approved an application whose route to the title has no committee."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    route: Literal["employer_assessment", "direct_appointment"]
    year: int
    series: str
    specialty: str | None = None
    level: str
    applicant_id: str
    applicant_name: str = ""
    org_id: str
    org_path: str
    county_code: str | None = None
    annotations: list[str] = []


# NAT-8's reason category as public verification shows it: the category, never the office's own words.
REVOCATION_CATEGORY_ZH = "因弄虚作假撤销（NAT-8）"


def revoke(
    history: Sequence[EventEnvelope], *, number: str, reason: str, revoked_on: date, revoked_by: str
) -> QualificationDocumentRevoked:
    """NAT-8: a title obtained by fraud (弄虚作假) is revoked. Decided from the document's own stream: an
    issued document is revoked once; a second revocation is refused (409 already_revoked)."""
    issued = next((e for e in history if e.event_type == QualificationDocumentIssued.event_type), None)
    if issued is None:
        raise not_found("职称资格文件", "document_not_found", number, field="number")
    if any(e.event_type == QualificationDocumentRevoked.event_type for e in history):
        raise Conflict(
            "already_revoked",
            f"职称资格文件{number}已被撤销，不能重复撤销。",
            field="number",
            rule="NAT-8",
        )
    p = issued.payload
    return QualificationDocumentRevoked(
        document_id=p["document_id"],
        number=p["number"],
        application_id=p["application_id"],
        applicant_id=p["applicant_id"],
        applicant_name=p["applicant_name"],
        reason=reason,
        revoked_on=revoked_on,
        revoked_by=revoked_by,
    )
