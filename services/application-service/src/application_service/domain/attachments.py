"""Who may attach files to which application, in which status, and how many (finding 26).

The applicant adds to their own application while it is theirs to change — a draft, a submission the
unit has not approved yet, an application returned for correction. The reviewer of the current step of
the chain (NAT-7: its org, its role) adds what its review produces while the application is before it.
Nobody else, and nothing once the application is withdrawn or has gone past those points. Each
application holds at most MAX_ATTACHMENTS files and MAX_ATTACHMENT_BYTES in all. The type is sniffed
from the content (adapters/attachments.py), never taken from the client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zhicheng_kernel.errors import Conflict, Forbidden

MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
# The statuses in which the applicant's materials are still the applicant's to change.
APPLICANT_MAY_ATTACH = frozenset({"draft", "submitted", "returned"})


def check_attachment(
    *,
    status: str,
    applicant_id: str,
    current_step: Mapping[str, str] | None,
    step_role: str | None,
    uploader_id: str,
    uploader_org_id: str | None,
    uploader_roles: frozenset[str],
    attachments: Sequence[Mapping[str, Any]],
    size: int,
) -> None:
    """Refuses an attachment the uploader may not add now (403 attachment_not_allowed, 409
    attachment_closed) or one beyond the application's quota (409 attachment_quota_exceeded).
    `size` 0: the check before the file is stored (its size is not known yet)."""
    if uploader_id == applicant_id:
        if status not in APPLICANT_MAY_ATTACH:
            raise Conflict(
                "attachment_closed",
                "申报已撤回或已通过单位审核，申报人不能再上传附件；如需补充材料，请由审核单位退回后再上传。",
                field="file",
            )
    elif not (
        current_step is not None
        and uploader_org_id == current_step.get("org_id")
        and step_role is not None
        and step_role in uploader_roles
    ):
        raise Forbidden(
            "attachment_not_allowed",
            "只有申报人本人（单位审核通过前）或当前审核环节的审核人员可以上传附件。",
            field="file",
            rule="NAT-7",
        )
    used = sum(int(a.get("size") or 0) for a in attachments)
    if len(attachments) >= MAX_ATTACHMENTS or used + size > MAX_ATTACHMENT_BYTES:
        raise Conflict(
            "attachment_quota_exceeded",
            f"每份申报最多上传 {MAX_ATTACHMENTS} 个附件、合计不超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。",
            field="file",
            extra={"max_files": MAX_ATTACHMENTS, "max_bytes": MAX_ATTACHMENT_BYTES, "used_bytes": used},
        )


def check_removal(*, status: str, uploaded_by: str, applicant_id: str) -> None:
    """The applicant removes only files they uploaded themselves (409 attachment_not_own: a reviewer's
    file stays), and only while they may still add one (409 attachment_closed)."""
    if uploaded_by != applicant_id:
        raise Conflict("attachment_not_own", "该附件由审核人员上传，申报人不能删除。", field="attachment_id")
    if status not in APPLICANT_MAY_ATTACH:
        raise Conflict(
            "attachment_closed",
            "申报已撤回或已通过单位审核，申报人不能再删除附件；如需更换材料，请由审核单位退回后再办理。",
            field="attachment_id",
        )
