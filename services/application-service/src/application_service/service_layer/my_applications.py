"""The applicant's own pages: what they filled in (to edit it again, or to print the 申报表), and the
removal of a file they attached while the application is still theirs to change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden, NotFound
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters.attachments import MAX_BYTES
from ..adapters.repository import ApplicationRepository
from ..context import Context
from ..domain import events as ev
from ..domain.application import EDITABLE, WITHDRAWABLE, Application
from ..domain.attachments import APPLICANT_MAY_ATTACH, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from ..domain.paper_bounds import MAX_AUTHORS, MAX_PAPER_TEXT_CHARS, MAX_PAPER_TITLE_CHARS, MAX_PAPERS
from ..domain.rules import STEP_NAMES_ZH
from .commands import AttachmentAdded


class PaperContent(BaseModel):
    """A paper as the applicant filled it in, with its full text."""

    paper_id: str | None = None
    title: str
    journal: str
    journal_level: str
    published_on: str
    authors: list[str]
    text: str
    cn_number: str | None = None
    issue_type: str = "regular"
    electronic: bool = False
    press_listed: bool | None = None


class ApplicationContent(BaseModel):
    """The application's fields in the shape PUT /api/v1/applications/{id} takes (facts grouped)."""

    year: int
    series: str
    specialty: str
    level: str
    track: str
    papers: list[PaperContent]
    facts: dict[str, Any] = Field(description="申报事实：学历、工作经历、现职称、证书、奖项等（与提交时的字段同名）")


class ReturnOut(BaseModel):
    step: str
    step_zh: str
    reasons: list[str]


class ApplicantLimits(BaseModel):
    """The server's bounds the applicant's pages show (papers, texts, attachments)."""

    max_papers: int = MAX_PAPERS
    max_paper_text_chars: int = MAX_PAPER_TEXT_CHARS
    max_paper_title_chars: int = MAX_PAPER_TITLE_CHARS
    max_authors: int = MAX_AUTHORS
    max_attachments: int = MAX_ATTACHMENTS
    max_attachment_total_bytes: int = MAX_ATTACHMENT_BYTES
    max_attachment_file_bytes: int = MAX_BYTES


class ApplicationContentOut(BaseModel):
    application_id: str
    status: str
    version: int = Field(description="当前版本：修改时作为 expected_version 发送")
    editable: bool = Field(description="草稿或被退回的申报：申报人可以修改")
    withdrawable: bool
    may_attach: bool = Field(description="申报人可以上传或删除附件")
    returned: ReturnOut | None = Field(description="被退回时：退回的环节和理由")
    content: ApplicationContent
    limits: ApplicantLimits


class AttachmentsLeft(BaseModel):
    items: list[AttachmentAdded]


def _papers_with_texts(app: Application, history: list[Any]) -> list[dict[str, Any]]:
    """The submitted papers with the text each was last sent to the check with (PaperCheckRequested)."""
    texts = {e.paper_id: e.text for e in history if isinstance(e, ev.PaperCheckRequested)}
    return [{**p, "text": texts.get(p["paper_id"], "")} for p in app.submitted.get("papers", [])]


def _returned(app: Application, history: list[Any]) -> ReturnOut | None:
    if app.status != "returned":
        return None
    last = next((e for e in reversed(history) if isinstance(e, ev.ApplicationReturned)), None)
    if last is None:
        return None
    return ReturnOut(step=last.step, step_zh=STEP_NAMES_ZH.get(last.step, last.step), reasons=list(last.reasons))


async def content_of(ctx: Context, application_id: str, account_id: str) -> ApplicationContentOut:
    """The applicant's own application as they filled it in: the draft or correction being edited, or
    what was submitted (paper texts included). Only its applicant reads it: a draft is nobody else's
    (404), a submitted application's full content is read by reviewers through their own pages (403)."""
    async with ctx.db.read() as conn:
        envelopes = await ctx.store.load(conn, application_id)
    history = [ev.CATALOGUE.parse(e) for e in envelopes]
    app = Application.rebuild(application_id, history)
    if not app.exists or (app.status == "draft" and app.submitted.get("applicant_id") != account_id):
        raise NotFound("application_not_found", "申报不存在。")
    if app.submitted.get("applicant_id") != account_id:
        raise Forbidden("not_applicant", "只有申报人本人可以查看申报的填报内容。")
    if app.content is not None:
        data = dict(app.content)
    else:
        s = app.submitted
        data = {k: s[k] for k in ("year", "series", "specialty", "level", "track")}
        data["papers"] = _papers_with_texts(app, history)
        data["facts"] = s.get("facts") or {}
    return ApplicationContentOut(
        application_id=app.id,
        status=app.status,
        version=app.version,
        editable=app.status in EDITABLE and app.cancelled is None,
        withdrawable=app.status in WITHDRAWABLE and app.cancelled is None,
        may_attach=app.status in APPLICANT_MAY_ATTACH and app.cancelled is None,
        returned=_returned(app, history),
        content=ApplicationContent.model_validate(data),
        limits=ApplicantLimits(),
    )


async def remove_attachment(ctx: Context, application_id: str, attachment_id: str, account_id: str) -> AttachmentsLeft:
    """AttachmentRemoved (domain/attachments.py check_removal): the applicant's own file, while editable."""

    async def act(uow: UnitOfWork) -> AttachmentsLeft:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if app.status == "draft" and app.submitted.get("applicant_id") != account_id:
            raise NotFound("application_not_found", "申报不存在。")
        await repo.append(app, app.remove_attachment(account_id, attachment_id), uow.meta)
        return AttachmentsLeft(items=[AttachmentAdded.model_validate(a) for a in app.attachments])

    return await execute(ctx, Metadata(actor=account_id), act, answer=AttachmentsLeft)
