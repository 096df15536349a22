"""Public verification of a qualification document by its number (NAT-10)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from ..adapters.tables import documents
from ..domain.errors import not_found
from .deps import Context

router = APIRouter(prefix="/api/v1/documents", tags=["职称资格文件"])

LEVEL_NAMES = {"junior": "初级", "intermediate": "中级", "deputy_senior": "副高级", "senior": "正高级"}


def masked(name: str) -> str:
    """张三 → 张*, 欧阳明远 → 欧***: enough to recognise, not enough to harvest."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


@router.get("/verify", summary="公开查验职称资格文件（NAT-10：电子证书与纸质证书具有同等效力，可公开查验）")
async def verify(
    ctx: Context, number: Annotated[str, Query(min_length=4, max_length=64, description="资格文件号")]
) -> dict[str, Any]:
    """NAT-10: anyone may check that a document number was issued, and to whom (name masked)."""
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(documents).where(documents.c.number == number.strip()))).first()
    if row is None:
        raise not_found("document", number)
    payload = row.payload
    return {
        "number": row.number,
        "valid": True,
        "holder": masked(row.applicant_name),
        "year": payload.get("year"),
        "series": payload.get("series"),
        "level": LEVEL_NAMES.get(payload.get("level", ""), payload.get("level")),
        "annotations": payload.get("annotations", []),
        "issued_at": row.issued_at.isoformat(),
    }
