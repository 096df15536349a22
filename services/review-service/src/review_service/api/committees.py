"""评审委员会: forming committees and opening their sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.roles import Role

from ..service_layer import committees, queries
from .deps import Context
from .schemas import FormCommittee, OpenSession

router = APIRouter(prefix="/api/v1/committees", tags=["评审委员会"])


@router.post("", status_code=201, summary="组建评审委员会（NAT-6 单数且满足最少人数）")
async def form_committee(body: FormCommittee, principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    committee = await committees.form(
        ctx,
        principal,
        name=body.name,
        series=body.series,
        level=body.level,
        expert_ids=body.expert_ids,
        specialty=body.specialty,
    )
    return await queries.committee_view(ctx, committee.committee_id)


@router.get("/{committee_id}", summary="查看评审委员会（专家名单仅组建单位评委会秘书可见，NAT-4）")
async def get_committee(committee_id: str, principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    view = await queries.committee_view(ctx, committee_id)
    secretary = principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == view["organizing_org_id"]
    if not (secretary or principal.kind == "service"):
        view.pop("expert_ids")  # NAT-4: the expert list is not published
    return view


@router.post("/{committee_id}/sessions", status_code=201, summary="召开评审会议（纳入全部已推送待评审申报）")
async def open_session(
    committee_id: str, body: OpenSession, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await committees.open_session(
        ctx,
        principal,
        committee_id,
        year=body.year,
        publicity_seconds=body.publicity_seconds,
        publicity_working_days=body.publicity_working_days,
        complaint_investigation_seconds=body.complaint_investigation_seconds,
    )
