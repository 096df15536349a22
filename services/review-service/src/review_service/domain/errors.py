"""Refusals of the review domain as values: a stable code, a Chinese message, the field at fault."""

from __future__ import annotations

from zhicheng_kernel.errors import Conflict, DomainError, NotFound

_WHAT_ZH = {
    "committee": "评审委员会",
    "session": "评审会议",
    "complaint": "投诉",
    "expert": "专家",
    "document": "职称资格文件",
}


class ReviewError(DomainError):
    status = 422

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field=field)


class ReviewConflict(Conflict):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def not_found(what: str, ident: str) -> NotFound:
    return NotFound(f"{what}_not_found", f"未找到该{_WHAT_ZH.get(what, '记录')}（{ident}）。")
