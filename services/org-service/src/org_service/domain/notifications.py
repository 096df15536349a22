"""Which events reach whom: the pure mapping from another service's event to inbox notifications.

No I/O. `notices(event_type, payload, facts)` answers the notifications one event makes, each with
its recipient (an organization or an account), category, Chinese title and body and a link to the
resource. Some events name their recipients (`applicant_id`, `office_org_ids`, `organizing_org_id`);
others only name an application or a session, whose applicant or organising office the projection
learnt from earlier events (`Facts`). An event type not listed here makes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.titles import level_zh

BODY_LIMIT = 1000


class RecipientKind(StrEnum):
    ORG = "org"
    ACCOUNT = "account"


class Category(StrEnum):
    PUSH_WINDOW = "push_window"
    PROVINCIAL_FILING = "provincial_filing"
    PROVINCIAL_VERDICT = "provincial_verdict"
    REVIEW_YEAR = "review_year"
    SESSION_OVERDUE = "session_overdue"
    APPLICATION_RETURNED = "application_returned"
    RESULTS = "results"
    DOCUMENT = "document"
    COMPLAINT = "complaint"
    REVIEW_REQUEST = "review_request"  # 复查 (NAT-11)
    DEFENSE = "defense"  # issue 11: a scheduled online video defense (POL-VD-1)


@dataclass(frozen=True)
class Notice:
    recipient_kind: RecipientKind
    recipient_id: str
    category: Category
    title_zh: str
    body_zh: str
    link: str


@dataclass(frozen=True)
class Facts:
    """What earlier events said about the application or session an event names (None: unknown)."""

    application: Mapping[str, Any] | None = None
    session: Mapping[str, Any] | None = None


def china_time(value: str | datetime) -> str:
    """An instant as a clerk reads it: Beijing time, a midnight shown as 24:00 of the day before."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(CHINA_TZ)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{(local - timedelta(days=1)):%Y年%m月%d日} 24:00"
    return f"{local:%Y年%m月%d日 %H:%M}"


def remaining(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds // 86400} 天"
    if seconds >= 3600:
        return f"{seconds // 3600} 小时"
    return f"{max(seconds // 60, 1)} 分钟"


def _reasons(reasons: Sequence[str]) -> str:
    listed = "；".join(str(r).strip() for r in reasons if str(r).strip())
    return listed or "未说明"


def _title_of(facts: Mapping[str, Any] | None) -> str:
    """'2026年度卫生系列副高级' from the application's facts, or '' when unknown."""
    if not facts:
        return ""
    parts = [f"{facts['year']}年度" if facts.get("year") else "", str(facts.get("series") or "")]
    parts.append(level_zh(str(facts["level"])) if facts.get("level") else "")
    return "".join(parts)


def _unique(ids: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(i) for i in ids if i))


def _orgs(ids: Iterable[Any], category: Category, title: str, body: str, link: str) -> list[Notice]:
    return [Notice(RecipientKind.ORG, org, category, title, body[:BODY_LIMIT], link) for org in _unique(ids)]


def _account(account_id: Any, category: Category, title: str, body: str, link: str) -> list[Notice]:
    if not account_id:
        return []
    return [Notice(RecipientKind.ACCOUNT, str(account_id), category, title, body[:BODY_LIMIT], link)]


# -- the provincial filing, push windows and the review year (issue 10's events) -------------------


def _push_window_reminder(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    series, count = p["series"], int(p["unfinished_count"])
    title = f"{series}推送截止前 {remaining(int(p['remaining_seconds']))}，仍有 {count} 份申报未完成审核"
    body = (
        f"{p['year']}年度{series}的推送将于 {china_time(p['closes_at'])} 截止（{p['push_month']}月底）。"
        f"仍有 {count} 份申报未完成审核，请各单位、主管部门抓紧审核并及时推送，逾期未推送的不能参加本年度评审。"
    )
    link = f"/api/v1/push-windows/{p['year']}"
    return _orgs([*p.get("office_org_ids", []), *p.get("holder_org_ids", [])], Category.PUSH_WINDOW, title, body, link)


def _push_window_closed(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    series, left = p["series"], int(p["left_behind_count"])
    title = f"{p['year']}年度{series}推送已截止"
    body = f"{series}推送已于 {china_time(p['closes_at'])} 截止：已推送 {int(p['pushed_count'])} 份，未推送 {left} 份。"
    by_org = p.get("left_behind_by_org") or {}
    if left and by_org:
        body += f"涉及 {len(by_org)} 个单位，未推送的申报不能参加本年度评审。"
    return _orgs(p.get("office_org_ids", []), Category.PUSH_WINDOW, title, body, f"/api/v1/push-windows/{p['year']}")


def _filing_escalated(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    pending = len(p.get("pending_application_ids", []))
    what = {"delivery_failing": "无法报送至省职改办", "verdict_overdue": "省职改办逾期未反馈审核意见"}
    cause = what.get(str(p["reason"]), str(p["reason"]))
    title = f"推送批次报省审核异常：{cause}"
    body = (
        f"{p['year']}年度{p['series']}{level_zh(str(p['level']))}推送批次{cause}，"
        f"仍有 {pending} 份申报等待省职改办审核。{str(p.get('detail') or '').strip()}"
        "请与省职改办联系并处理。"
    )
    return _orgs([p["office_org_id"]], Category.PROVINCIAL_FILING, title, body, f"/api/v1/pushes/{p['push_id']}")


def _verdict_recorded(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    what = f"{p['year']}年度{p['series']}{level_zh(str(p['level']))}职称申报"
    link = f"/api/v1/applications/{p['application_id']}"
    if p["verdict"] == "approved":
        title = "省职改办已审核通过您的职称申报"
        body = f"您的{what}已通过省职改办审核，可进入评审委员会评审。"
        org_title, org_body = "省职改办审核通过一份申报", f"本单位一份{what}已通过省职改办审核。"
    else:
        reasons = _reasons(p.get("reasons", []))
        title = "省职改办退回了您的职称申报"
        body = f"您的{what}被省职改办退回，原因：{reasons}。请按要求修改后重新提交。"
        org_title, org_body = "省职改办退回一份申报", f"本单位一份{what}被省职改办退回，原因：{reasons}。"
    return [
        *_account(p["applicant_id"], Category.PROVINCIAL_VERDICT, title, body, link),
        *_orgs([p["org_id"]], Category.PROVINCIAL_VERDICT, org_title, org_body, link),
    ]


def _review_year_warning(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    sessions = len(p.get("session_ids", []))
    title = f"{p['year']}年度评审工作截止前 {remaining(int(p['remaining_seconds']))}"
    body = (
        f"各系列中、高评会须于 {china_time(p['deadline'])} 前完成{p['year']}年度评审工作，"
        f"尚有 {sessions} 场评审会议未完成评审表决，请抓紧组织。"
    )
    return _orgs(
        p.get("office_org_ids", []), Category.REVIEW_YEAR, title, body, f"/api/v1/review-years/{p['year']}/report"
    )


def _session_overdue(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    count = len(p.get("application_ids", []))
    title = "评审会议逾期未完成评审"
    body = (
        f"{p['year']}年度{p['series']}{level_zh(str(p['level']))}评审会议未在 {china_time(p['deadline'])} "
        f"前完成评审表决，涉及 {count} 名申报人。请向市职改办申请延期或将申报人结转至下一年度。"
    )
    return _orgs([p["organizing_org_id"]], Category.SESSION_OVERDUE, title, body, f"/api/v1/sessions/{p['session_id']}")


# -- existing events a person wants to hear about ---------------------------------------------------


def _application_returned(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    app = facts.application
    if not app:
        return []
    what = _title_of(app)
    body = f"您的{what}职称申报被退回修改，原因：{_reasons(p.get('reasons', []))}。请修改后重新提交。"
    link = f"/api/v1/applications/{p['application_id']}"
    return _account(app.get("applicant_id"), Category.APPLICATION_RETURNED, "您的职称申报被退回修改", body, link)


def _results_publicity(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    app = facts.application
    if not app:
        return []
    ends = p.get("publicity_ends_at")
    until = f"，公示至 {china_time(ends)}" if ends else ""
    body = f"您的{_title_of(app)}职称申报已通过评审委员会评审，评审结果正在公示{until}。公示期满无异议后发文。"
    link = f"/api/v1/applications/{p['application_id']}"
    return _account(app.get("applicant_id"), Category.RESULTS, "评审结果公示", body, link)


def _application_decided(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    """Only a refusal: a title reaches the applicant with its document (QualificationDocumentIssued)."""
    app = facts.application
    if not app or p.get("outcome") == "titled":
        return []
    body = f"您的{_title_of(app)}职称申报未通过评审委员会评审。"
    link = f"/api/v1/applications/{p['application_id']}"
    return _account(app.get("applicant_id"), Category.RESULTS, "评审结果：未通过", body, link)


def _document_issued(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    title = "职称资格文件已签发"
    body = (
        f"您的{p['year']}年度{p['series']}{level_zh(str(p['level']))}职称资格文件已签发，"
        f"文号 {p['number']}。可凭文号查验。"
    )
    link = f"/api/v1/documents?application_id={p['application_id']}"
    return _account(p["applicant_id"], Category.DOCUMENT, title, body, link)


def _complaint_filed(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    session = facts.session
    if not session:
        return []
    ends = p.get("investigation_ends_at")
    until = f"，请于 {china_time(ends)} 前完成调查核实" if ends else "，请及时调查核实"
    body = f"评审结果公示期间收到一件投诉（{_title_of(session)}评审会议）{until}。"
    link = f"/api/v1/sessions/{p['session_id']}"
    return _orgs([session.get("organizing_org_id")], Category.COMPLAINT, "收到评审结果投诉", body, link)


_OUTCOMES = {
    "no_problem": "经调查不存在问题",
    "problem_not_affecting": "存在问题但不影响取得资格",
    "upheld": "投诉属实，不予确认资格",
}


def _complaint_resolved(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    outcome = _OUTCOMES.get(str(p["outcome"]), str(p["outcome"]))
    link = f"/api/v1/sessions/{p['session_id']}"
    notices: list[Notice] = []
    if facts.session:
        body = f"一件评审结果投诉已办结：{outcome}。"
        notices += _orgs([facts.session.get("organizing_org_id")], Category.COMPLAINT, "投诉已办结", body, link)
    if facts.application:
        body = f"针对您{_title_of(facts.application)}评审结果的投诉已办结：{outcome}。"
        notices += _account(facts.application.get("applicant_id"), Category.COMPLAINT, "投诉调查结果", body, link)
    return notices


def _document_revoked(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    """The holder learns that the city office revoked their document for fraud, and what follows."""
    body = (
        f"您的职称资格文件（文号 {p['number']}）已于 {p['revoked_on']} 被市职改办以弄虚作假为由撤销，"
        f"撤销理由：{p['reason']}。您将被记入诚信档案 3 年，期间不得申报职称（NAT-8）。"
    )
    link = f"/api/v1/documents?application_id={p['application_id']}"
    return _account(p["applicant_id"], Category.DOCUMENT, "职称资格文件已被撤销", body, link)


# -- issue 11: the applicant's review (复查, NAT-11) -------------------------------------------------


def _review_requested(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    """The organising unit hears of a request it must answer in writing."""
    what = _title_of(facts.application)
    body = f"申请人对{what}评审结果申请复查，请书面答复。"
    link = f"/api/v1/review-requests?application_id={p['application_id']}"
    return _orgs([p.get("organizing_org_id")], Category.REVIEW_REQUEST, "收到复查申请", body, link)


_REVIEW_OUTCOMES = {"upheld": "维持原评审结果", "changed": "改为通过，将印发职称资格文件"}


def _review_answered(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    """The applicant hears the written answer."""
    outcome = _REVIEW_OUTCOMES.get(str(p.get("outcome")), str(p.get("outcome")))
    body = f"您的复查申请已答复：{outcome}。答复意见：{p.get('answer', '')}"
    link = f"/api/v1/review-requests?application_id={p['application_id']}"
    return _account(p.get("applicant_id"), Category.REVIEW_REQUEST, "复查申请已答复", body, link)


# -- issue 11: review panels and video defenses ------------------------------------------------------


def _defense_scheduled(p: Mapping[str, Any], facts: Facts) -> list[Notice]:
    """The candidate and each of the panel's judging experts hear of a video defense: time and join link.
    Neither learns who else takes part."""
    when = f"{china_time(p['starts_at'])} 至 {china_time(p['ends_at'])}"
    what = f"{_title_of(facts.application)}职称" if facts.application else "职称"
    link = f"/api/v1/defenses?application_id={p['application_id']}"
    candidate = (
        f"您的{what}评审网络视频答辩定于 {when} 举行（不设现场答辩）。请按时通过以下链接进入答辩会议室：{p['join_url']}"
    )
    expert = f"您参加评议的一场{what}网络视频答辩定于 {when} 举行。会议室链接：{p['join_url']}"
    return [
        *_account(p["applicant_id"], Category.DEFENSE, "网络视频答辩安排", candidate, link),
        *(
            n
            for e in _unique(p.get("expert_ids", []))
            for n in _account(e, Category.DEFENSE, "评议组网络视频答辩安排", expert, "/api/v1/defenses/mine")
        ),
    ]


Mapper = Callable[[Mapping[str, Any], Facts], list[Notice]]

# (source service, event type) -> the notifications it makes.
MAPPERS: dict[tuple[str, str], Mapper] = {
    ("application-service", "PushWindowReminderIssued"): _push_window_reminder,
    ("application-service", "PushWindowClosed"): _push_window_closed,
    ("application-service", "ProvincialFilingEscalated"): _filing_escalated,
    ("application-service", "ProvincialVerdictRecorded"): _verdict_recorded,
    ("application-service", "ApplicationReturned"): _application_returned,
    ("application-service", "ResultsPublicityStarted"): _results_publicity,
    ("application-service", "ApplicationDecided"): _application_decided,
    ("review-service", "ReviewYearWarningIssued"): _review_year_warning,
    ("review-service", "SessionOverdue"): _session_overdue,
    ("review-service", "QualificationDocumentIssued"): _document_issued,
    ("review-service", "ComplaintFiled"): _complaint_filed,
    ("review-service", "ComplaintResolved"): _complaint_resolved,
    ("review-service", "QualificationDocumentRevoked"): _document_revoked,
    ("review-service", "ReviewRequested"): _review_requested,
    ("review-service", "ReviewAnswered"): _review_answered,
    ("review-service", "DefenseScheduled"): _defense_scheduled,
}


def notices(source: str, event_type: str, payload: Mapping[str, Any], facts: Facts | None = None) -> list[Notice]:
    """The notifications an event makes; none for an event type not in MAPPERS."""
    mapper = MAPPERS.get((source, event_type))
    return mapper(payload, facts or Facts()) if mapper else []
