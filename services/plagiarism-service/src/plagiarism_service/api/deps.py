"""Dependencies of the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.context import context_dependency
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..context import PlagiarismContext
from ..service_layer.organizations import is_city_title_office

ContextDep = Annotated[PlagiarismContext, Depends(context_dependency(PlagiarismContext))]
IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]

CORPUS_EDITORS = (Role.AUDITOR, Role.TITLE_OFFICE_REVIEW)
CHECK_READERS = (
    Role.AUDITOR,
    Role.TITLE_OFFICE_REVIEW,
    Role.DEPARTMENT_REVIEW,
    Role.UNIT_REVIEW,
    Role.COMMITTEE_SECRETARY,
)


async def require_corpus_keeper(ctx: PlagiarismContext, principal: Principal) -> None:
    """The corpus is kept by the reviewers and auditors of the CITY title office (a title_office org whose
    level is "city", as org-service announced it), or fed by an internal service: a county office or
    a unit may neither edit it nor read it (its registered authors decide what is "own work")."""
    if principal.kind == "service":
        return
    require_role(principal, *CORPUS_EDITORS)
    if principal.org_kind != "title_office" or not await is_city_title_office(ctx, principal.org_id):
        raise Forbidden("city_title_office_only", "比对库由市职称改革办公室维护。")
