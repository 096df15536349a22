"""Pushes of office-approved applications to the committees (SCHED-1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.roles import Role

from ..domain.commands import CreatePush
from ..service_layer import commands
from .deps import ContextDep
from .schemas import PushIn

router = APIRouter(prefix="/api/v1/pushes", tags=["推送"])


@router.post("", status_code=201, summary="职改办向评委会推送一批申报")
async def push(body: PushIn, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    require_role(principal, Role.PUSH)
    if not principal.org_id:
        raise Forbidden("not_title_office", "只有职称改革办公室可以向评委会推送申报。")
    cmd = CreatePush(
        year=body.year,
        series=body.series,
        level=body.level,
        application_ids=body.application_ids,
        pusher_id=principal.subject,
        office_org_id=principal.org_id,
        office_org_path=principal.org_path,
    )
    return await commands.create_push(ctx, cmd)
