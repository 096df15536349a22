"""What the routes answer, so that the OpenAPI document describes every response (clients are generated
from it). Nested parts the policy engine and the registries shape freely stay JSON objects."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..projections.applications import ApplicationView
from ..service_layer.commands import AttachmentAdded


class ApplicationList(BaseModel):
    items: list[ApplicationView]
    limit: int
    offset: int


class CountOut(BaseModel):
    series: str
    status: str
    count: int


class CountList(BaseModel):
    items: list[CountOut]
    total: int


class EligibilityOut(BaseModel):
    """The eligibility report: every rule applied, its outcome and a Chinese explanation."""

    application_id: str
    schema_version: int
    as_of: str
    eligible: bool
    committee_required: bool
    quota_pool: dict[str, Any]
    annotations: list[str]
    outcomes: list[dict[str, Any]]
    basis: str = Field("declared", description="评估依据：declared 申报人填报的事实；attested 单位核实后的事实")
    trigger: str = Field("submitted", description="本次评估的原因：submitted、facts_attested、paper_checked……")
    changes: list[dict[str, Any]] = Field(default_factory=list, description="与上一次评估相比结果变化的规则")
    facts: list[dict[str, Any]] = Field(default_factory=list, description="申报事实：填报值与核实值并列")
    blocking: list[dict[str, Any]] = Field(
        default_factory=list, description="阻止审核通过的规则：hard 各环节均不能通过；office 职改办不能通过"
    )
    excluded_items: list[dict[str, Any]] = Field(default_factory=list)
    route: str = Field("committee", description="取得职称的途径：committee、employer_assessment、direct_appointment")
    remarks: list[str] = Field(default_factory=list)
    empty_registries: list[dict[str, str]] = Field(
        default_factory=list, description="尚未录入任何条目的名录：涉及这些名录的规则只能按“名录中没有”判断"
    )


class AttachmentList(BaseModel):
    items: list[AttachmentAdded]


class ScheduleEntryOut(BaseModel):
    series: str
    push_month: int
    grassroots: bool
    push_deadline: str


class ScheduleOut(BaseModel):
    year: int
    series: list[ScheduleEntryOut]


class PublishedEntryOut(BaseModel):
    series: str
    push_month: int
    grassroots: bool


class PublishedScheduleOut(BaseModel):
    year: int
    series: list[PublishedEntryOut]
    version: int


class RegistryInfo(BaseModel):
    name: str
    title: str
    key: list[str]
    columns: list[str]


class RegistryCatalogue(BaseModel):
    items: list[RegistryInfo]


class RegistryEntries(BaseModel):
    """One window of a registry's entries, in key order."""

    registry: str
    title: str
    items: list[dict[str, Any]]
    total: int = Field(description="符合筛选条件的条目数（分页前）")
    offset: int
    limit: int


class RegistryEntryOut(BaseModel):
    """One entry as recorded; its columns are the registry's (GET /api/v1/registries lists them)."""

    model_config = ConfigDict(extra="allow")


class RegistryImportOut(BaseModel):
    registry: str
    mode: str
    imported: int
    version: int


def file_download(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of a file download (`responses=` of the route)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "文件", "content": {media: binary for media in media_types}}}
