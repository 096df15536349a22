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


def require_corpus_editor(principal: Principal) -> None:
    """The corpus is kept by the 职改办 reviewers and auditors, or fed by an internal service."""
    if principal.kind != "service":
        require_role(principal, *CORPUS_EDITORS)
        if principal.org_kind != "title_office":
            raise Forbidden("title_office_only", "比对库由职称改革办公室维护。")
