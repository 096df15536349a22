"""Request bodies of the public and internal API (the answers are in service_layer/views.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from zhicheng_kernel.inputs import CleanText, MultilineText
from zhicheng_kernel.titles import TitleLevel

from ..domain.events import ComplaintOutcome, PanelOpinion, Vote
from ..domain.panel import MAX_DEFENSE_MINUTES, MIN_DEFENSE_MINUTES, VIDEO
from ..domain.rules import PUBLICITY_MIN_WORKING_DAYS


class FormCommittee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: CleanText = Field(min_length=1, max_length=200)
    series: CleanText = Field(min_length=1, max_length=100)
    level: TitleLevel
    specialty: CleanText | None = Field(
        default=None, max_length=100, description="按专业组建时填写（NAT-6 正高 ≥11 人）"
    )
    expert_ids: list[Annotated[CleanText, Field(min_length=1, max_length=100)]] = Field(min_length=1, max_length=500)
    filing_expires_on: date | None = Field(
        default=None, description="备案有效期截止日（NAT-6 最长为备案之日起 3 年减 1 天，不填即取最长）"
    )


class OpenSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    publicity_seconds: int | None = Field(default=None, ge=1, description="仅用于测试和演示；不填则按工作日计")
    publicity_working_days: int = Field(
        default=PUBLICITY_MIN_WORKING_DAYS, ge=1, le=30, description="公示期（工作日，NAT-3 不少于 5 个）"
    )
    complaint_investigation_seconds: int | None = Field(
        default=None,
        ge=1,
        description="仅用于测试和演示（正式环境不允许）；不填则为自投诉受理之日起 1 个月（POL-PB-1）",
    )
    application_ids: list[Annotated[CleanText, Field(min_length=1, max_length=100)]] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="本次评审的申报（须经省职改办审核通过，POL-FI-1）；不填则为全部已通过的待评审申报",
    )
    sitting: int | None = Field(
        default=None, ge=1, le=499, description="随机抽取的评审专家人数（单数，NAT-4/NAT-6）；不填则为全部可参会委员"
    )
    reserves: int = Field(default=0, ge=0, le=20, description="候补专家人数（NAT-4）")
    meeting_starts_at: AwareDatetime | None = Field(
        default=None, description="会议开始时间；不填则为开会当天 0 时（北京时间）"
    )
    meeting_ends_at: AwareDatetime | None = Field(
        default=None, description="会议结束时间；不填则为开会当天 24 时（北京时间）"
    )


class RecordAttendance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    present_expert_ids: list[Annotated[CleanText, Field(min_length=1, max_length=100)]] = Field(max_length=500)


class CastBallot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    votes: dict[Annotated[CleanText, Field(min_length=1, max_length=100)], Vote] = Field(max_length=500)


class FileComplaint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100)
    content: MultilineText = Field(min_length=1, max_length=5000)


class ResolveComplaint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: ComplaintOutcome


class PublishResults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publicity_seconds: int | None = Field(default=None, ge=1)
    publicity_working_days: int = Field(default=PUBLICITY_MIN_WORKING_DAYS, ge=1, le=30)


# -- issue 11: the expert pool and the draw ------------------------------------------------------------


class AppointExpert(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: CleanText = Field(min_length=1, max_length=100, description="已在组织服务注册的专家账号")
    specialty: CleanText = Field(min_length=1, max_length=100)
    employer_org_id: CleanText = Field(min_length=1, max_length=100, description="专家的工作单位（NAT-4 同单位回避）")
    term_starts_on: date
    term_ends_on: date = Field(description="聘期截止日（NAT-6 最长 3 年：开始日 + 3 年 − 1 天）")


class DeclareConflict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100)
    reason: MultilineText = Field(min_length=1, max_length=1000)
    expert_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="评委会秘书代专家申报时填写；专家本人申报不填"
    )


# -- issue 11: review panels (NAT-9) and video defenses (POL-VD-1) -----------------------------------


class FormPanel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    specialty: CleanText = Field(min_length=1, max_length=100)
    size: int = Field(ge=1, le=99, description="评议组专家人数：不少于 3 人的单数（NAT-9）")
    application_ids: list[Annotated[CleanText, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, min_length=1, max_length=500, description="不填则为本次会议该专业的全部候选人"
    )
    meeting_on: date | None = Field(default=None, description="评议日期（专家任期须覆盖，NAT-6）；不填为当天")


class ScheduleDefense(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100)
    starts_at: AwareDatetime
    minutes: int = Field(ge=MIN_DEFENSE_MINUTES, le=MAX_DEFENSE_MINUTES, description="答辩时长（分钟）")
    mode: CleanText = Field(default=VIDEO, max_length=20, description="答辩方式：只有 video（网络视频，POL-VD-1）")


class DefenseScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expert_id: CleanText = Field(min_length=1, max_length=100)
    score: int = Field(ge=0, le=100)
    opinion: MultilineText = Field(min_length=1, max_length=2000)


class RecordDefense(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attended: bool
    recording_ref: CleanText | None = Field(default=None, max_length=500, description="答辩录像存档编号")
    scores: list[DefenseScoreIn] = Field(default_factory=list, max_length=99)


class RecordPanelOpinion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_id: CleanText = Field(min_length=1, max_length=100)
    opinion: PanelOpinion
    summary: MultilineText = Field(min_length=1, max_length=5000)
