"""NAT-8: the city office revokes a qualification document for fraud (撤销职称资格). The revocation is an
event on the document's own stream, its read model is marked in the same transaction, and
application-service records the holder in the integrity file from the event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import ConcurrencyError, Forbidden, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import documents, organizations
from ..context import ReviewContext
from ..domain.documents import revoke
from .views import DocumentView, RevocationView

# Who may revoke, as every refusal says it.
CITY_OFFICE_ONLY_ZH = "只有市职改办（市级职称改革工作办公室）的职改办审核人员可以撤销职称资格文件（NAT-8）。"


def document_view(row: Row[Any]) -> DocumentView:
    """A document row as the lists show it: revoked (with the day and the reason) or valid."""
    revoked = row.revoked_at is not None
    return DocumentView.model_validate(
        {
            **row.payload,
            "issued_at": row.issued_at,
            "status": "revoked" if revoked else "valid",
            "revoked_on": china_today(row.revoked_at) if revoked else None,
            "revocation_reason": row.revocation_reason,
        }
    )


async def revoke_document(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    number: str,
    *,
    reason: str,
    expected_version: int | None = None,
) -> RevocationView:
    """The city office (title_office_review of a title office whose level is "city") revokes the
    document numbered `number` within its subtree; `expected_version` pins the document's stream."""
    if not principal.has(Role.TITLE_OFFICE_REVIEW) or principal.org_kind not in ("", "title_office"):
        raise Forbidden("city_office_only", CITY_OFFICE_ONLY_ZH, rule="NAT-8")

    async def action(uow: UnitOfWork) -> RevocationView:
        conn = uow.conn
        office = (await conn.execute(select(organizations).where(organizations.c.org_id == principal.org_id))).first()
        if office is None or office.kind != "title_office" or office.level != "city":
            raise Forbidden("city_office_only", CITY_OFFICE_ONLY_ZH, rule="NAT-8")
        row = (await conn.execute(select(documents).where(documents.c.number == number.strip()))).first()
        if row is None:
            raise not_found("职称资格文件", "document_not_found", number, field="number")
        if row.org_path and not principal.covers(row.org_path):
            raise Forbidden("outside_scope", "该职称资格文件不属于您所在职改办的管辖范围，无权撤销。")
        stream = await uow.load(row.document_id)
        if expected_version is not None and expected_version != stream.version:
            raise ConcurrencyError(row.document_id, expected_version)
        now = ctx.clock.now()
        revoked = revoke(
            stream.events, number=row.number, reason=reason, revoked_on=china_today(now), revoked_by=principal.subject
        )
        await uow.append(revoked.stream_type, row.document_id, stream.version, [revoked])
        await conn.execute(
            documents.update()
            .where(documents.c.document_id == row.document_id)
            .values(revoked_at=now, revocation_reason=reason)
        )
        return RevocationView(
            document_id=row.document_id,
            number=row.number,
            application_id=row.application_id,
            revoked_on=revoked.revoked_on,
            reason=reason,
        )

    return await execute(
        ctx,
        Metadata(principal.subject),
        action,
        answer=RevocationView,
        idempotent=idempotent,
        retry_conflicts=expected_version is None,
    )
