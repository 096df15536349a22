"""Qualification documents: their ids, their numbers, what public verification shows, and revocation."""

from __future__ import annotations

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


def document_number(prefix: str, year: int, sequence: int) -> str:
    """E.g. 平人社职称〔2026〕00001号 — a sequence per year."""
    return f"{prefix}〔{year}〕{sequence:05d}号"


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
