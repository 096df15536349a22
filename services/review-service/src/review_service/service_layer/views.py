"""What review-service answers: the response model of every route (and of every unit of work)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..domain.events import CandidateResult, ComplaintOutcome, Route

# A document as verification and the lists show it (NAT-8: revoked for fraud).
DocumentStatus = Literal["valid", "revoked"]


class CommitteeView(BaseModel):
    committee_id: str
    name: str
    series: str
    level: str
    organizing_org_id: str
    size: int
    expert_ids: list[str] | None = Field(default=None, description="仅组建单位的评委会秘书与服务可见（NAT-4）")
    filed_on: date | None = Field(default=None, description="备案日期（NAT-6）")
    filing_expires_on: date | None = Field(default=None, description="备案有效期截止日（NAT-6）")


class SessionOpenedView(BaseModel):
    session_id: str
    workflow_id: str
    application_ids: list[str]
    # NAT-4: how many were drawn; who, only GET /sessions/{id}/draw tells the organising office.
    sitting: int = 0
    reserves: int = 0


class ResultView(CandidateResult):
    reason: str | None = Field(description="未通过的原因（NAT-1 法定人数或 NAT-2 三分之二）")


class PublicityView(BaseModel):
    starts_at: datetime
    ends_at: datetime
    passed_application_ids: list[str]


class ComplaintCounts(BaseModel):
    open: int
    total: int


class DocumentRef(BaseModel):
    application_id: str
    number: str
    document_id: str


class CandidateView(BaseModel):
    """A candidate as the committee sees it: what the document will print, and the remarks it never prints."""

    application_id: str
    applicant_name: str
    specialty: str | None
    annotations: list[str] = Field(description="资格文件上注明的内容")
    remarks: list[str] = Field(description="推荐、公示时说明、报送材料时备注的情况（不在资格文件上注明）")

    @classmethod
    def of(cls, row: Any) -> CandidateView:
        """From a row of the candidates projection."""
        return cls(
            application_id=row.application_id,
            applicant_name=row.applicant_name,
            specialty=row.specialty,
            annotations=list(row.annotations),
            remarks=list(row.remarks),
        )


class SessionView(BaseModel):
    """A session as its committee (and, once published, anyone allowed) sees it: never a single ballot."""

    session_id: str
    committee_id: str
    workflow_id: str
    status: Literal["opened", "voting", "tallied", "publicity", "issuing", "closed", "carried_over"]
    year: int
    series: str
    level: str
    application_ids: list[str]
    candidates: list[CandidateView] = Field(description="评委会看到全部候选人；结果公示后其他人只看到通过的候选人")
    committee_size: int
    attendance_recorded: bool
    present: int
    quorum_met: bool | None
    ballots_cast: int
    results: list[ResultView] | None
    publicity: PublicityView | None
    complaints: ComplaintCounts
    held_application_ids: list[str]
    # POL-PB-1: when the earliest open investigation stops holding everyone else's documents.
    investigation_ends_at: datetime | None = None
    documents: list[DocumentRef]


class AttendanceView(BaseModel):
    session_id: str
    present: int


class BallotAccepted(BaseModel):
    """Deliberately no ballot number or content: nothing links the expert to a ballot."""

    session_id: str
    accepted: bool


class VotingClosedView(BaseModel):
    session_id: str
    workflow_id: str
    voting_closed: bool


class ComplaintView(BaseModel):
    complaint_id: str
    session_id: str
    application_id: str


class ComplaintResolvedView(BaseModel):
    complaint_id: str
    application_id: str
    outcome: ComplaintOutcome


class TallyView(BaseModel):
    session_id: str
    committee_size: int
    present: int
    quorum_met: bool
    results: list[CandidateResult]


class PublishedView(BaseModel):
    session_id: str
    publicity_starts_at: datetime
    publicity_ends_at: datetime
    passed_application_ids: list[str]
    # NAT-3: false when a year of a working-day period has no official calendar (Monday–Friday assumed).
    calendar_known: bool = True
    calendar_note: str | None = None


class IssueReport(BaseModel):
    session_id: str
    issued: list[DocumentRef]
    held: list[str]
    refused: list[str]
    remaining: int = Field(default=0, ge=0, description="本次调用后仍待发文的人数（每次最多发 100 份，再调用继续）")


class ClosedView(BaseModel):
    session_id: str
    status: Literal["closed"]


class DocumentView(BaseModel):
    document_id: str
    number: str
    session_id: str | None = Field(default=None, description="评审会议；未经评委会的途径（考核认定、直接认定）为空")
    application_id: str
    applicant_id: str
    applicant_name: str
    year: int
    series: str
    level: str
    annotations: list[str]
    route: Route = "committee"
    issued_at: datetime
    # NAT-8: a document revoked for fraud stays listed, marked revoked.
    status: DocumentStatus = Field(default="valid", description="valid：有效；revoked：已撤销（NAT-8）")
    revoked_on: date | None = None
    revocation_reason: str | None = Field(default=None, description="撤销理由（持有人、所在单位及上级、省级系统可见）")


class DocumentPage(BaseModel):
    """A page of qualification documents and how many match the filters."""

    items: list[DocumentView]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class VerifiedDocument(BaseModel):
    """NAT-10's public answer: the holder's name masked."""

    number: str
    valid: bool
    holder: str
    year: int | None
    series: str | None
    level: str | None
    annotations: list[str]
    route: Route = "committee"
    route_zh: str = Field(description="取得途径：评审委员会评审、用人单位考核认定或直接认定")
    issued_at: datetime
    # NAT-8: a revoked document answers "revoked" with the day and the reason's category (never the reason).
    status: DocumentStatus = Field(default="valid", description="valid：有效；revoked：已撤销（查无此号时为 404）")
    revoked_on: date | None = None
    revocation_category: str | None = Field(default=None, description="撤销原因类别，如“因弄虚作假撤销（NAT-8）”")


class ExternalSessionResults(BaseModel):
    """A committee session's published results as a provincial system reads them (no ballot, no expert)."""

    session_id: str
    year: int
    series: str
    level: str
    publicity_starts_at: datetime
    publicity_ends_at: datetime
    results: list[ResultView]


class BulkVerification(BaseModel):
    found: list[VerifiedDocument]
    not_found: list[str]


class RevocationView(BaseModel):
    """NAT-8: the document the city office revoked."""

    document_id: str
    number: str
    application_id: str
    status: Literal["revoked"] = "revoked"
    revoked_on: date
    reason: str


# -- issue 11: the expert pool and the draw ------------------------------------------------------------


class PoolExpertView(BaseModel):
    """An expert's current (or latest) term in the pool (专家库)."""

    account_id: str
    display_name: str
    organizing_org_id: str
    series: list[str]
    specialty: str
    title_level: str
    employer_org_id: str
    employer_name: str
    term_starts_on: date
    term_ends_on: date
    days_left: int = Field(description="距聘期届满的天数（含当天；已届满为负数）")


class PoolPage(BaseModel):
    """A page of the expert pool and how many experts match the filters."""

    items: list[PoolExpertView]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class DrawView(BaseModel):
    """NAT-4: the draw as the organising office audits it; never shown to an expert or an applicant."""

    session_id: str
    seed: str
    candidates: list[str]
    excluded: dict[str, str]
    sitting_expert_ids: list[str]
    reserve_expert_ids: list[str]
    recusals: dict[str, list[str]] = Field(description="同单位回避（按申报）")
    conflicts: dict[str, list[str]] = Field(description="专家申报的利益冲突回避（按申报）")
    meeting_starts_at: datetime
    meeting_ends_at: datetime


class ConflictView(BaseModel):
    session_id: str
    application_id: str
    declared: bool


class BallotFormView(BaseModel):
    """The calling expert's ballot form: only the candidates they judge (NAT-4)."""

    session_id: str
    application_ids: list[str]
    candidates: list[CandidateView]
    voted: bool = Field(default=False, description="本人是否已投票；投票内容任何人都看不到（NAT-2）")


# -- issue 11: review panels (NAT-9) and video defenses (POL-VD-1) -----------------------------------


class PanelView(BaseModel):
    """A panel as the organising office sees it (the expert list is never shown to experts or applicants)."""

    panel_id: str
    session_id: str
    specialty: str
    seed: str
    expert_ids: list[str]
    application_ids: list[str]
    recusals: dict[str, list[str]] = Field(description="与候选人同一单位、须回避的专家（NAT-4）")
    defense_application_ids: list[str] = Field(description="须参加网络视频答辩的候选人（POL-VD-1）")


class DefenseView(BaseModel):
    """A scheduled defense as the office sees it."""

    panel_id: str
    application_id: str
    starts_at: datetime
    ends_at: datetime
    provider: str
    room_id: str
    join_url: str
    expert_ids: list[str]


class DefenseSlotView(BaseModel):
    """One online defense slot as the candidate or a panel expert sees it: no expert is named."""

    panel_id: str
    application_id: str
    applicant_name: str
    starts_at: datetime
    ends_at: datetime
    join_url: str
    mode: Literal["video"] = "video"


class DefenseRecordView(BaseModel):
    panel_id: str
    application_id: str
    attended: bool
    scores: int = Field(description="评分专家人数")


class PanelOpinionView(BaseModel):
    """The panel's opinion on a candidate, which the committee reads before it votes (NAT-9)."""

    panel_id: str
    application_id: str
    applicant_name: str
    defense_required: bool
    defense_replaced_by: str | None = Field(description="代替答辩的政策（如 POL-FL-3 疫情防控成果）")
    attended: bool | None
    opinion: Literal["recommend", "not_recommend"] | None
    summary: str | None


class PanelsStatusView(BaseModel):
    """Whether a session's panels are done: every defense recorded, every candidate given an opinion."""

    session_id: str
    complete: bool
    pending_defenses: list[str]
    pending_opinions: list[str]
