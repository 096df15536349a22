"""Qualification documents: their ids, their numbers, and what public verification shows."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .events import Route

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
