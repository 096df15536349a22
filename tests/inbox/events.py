"""The source events of the inbox's tests, with the payload keys of the contract (docs/EVENTS.md and
issue 10's CONTRACT), as application-service and review-service publish them."""

from __future__ import annotations

import uuid
from typing import Any

CLOSES_AT = "2026-12-31T16:00:00+00:00"  # 24:00 of 31 December, Beijing time


def push_window_reminder(office: str, holders: list[str], **over: Any) -> dict[str, Any]:
    return {
        "year": 2026,
        "series": "卫生系列",
        "push_month": 12,
        "closes_at": CLOSES_AT,
        "remaining_seconds": 7 * 86400 + 3600,
        "office_org_ids": [office],
        "holder_org_ids": holders,
        "unfinished_count": 5,
        **over,
    }


def push_window_closed(office: str) -> dict[str, Any]:
    return {
        "year": 2026,
        "series": "卫生系列",
        "push_month": 12,
        "closes_at": CLOSES_AT,
        "pushed_count": 12,
        "left_behind_count": 2,
        "left_behind_by_org": {str(uuid.uuid4()): 2},
        "office_org_ids": [office],
    }


def filing_escalated(office: str) -> dict[str, Any]:
    return {
        "push_id": str(uuid.uuid4()),
        "year": 2026,
        "series": "卫生系列",
        "level": "deputy_senior",
        "office_org_id": office,
        "reason": "verdict_overdue",
        "detail": "已等待 10 个工作日。",
        "pending_application_ids": [str(uuid.uuid4()), str(uuid.uuid4())],
    }


def verdict(application_id: str, applicant: str, employer: str, verdict: str = "returned") -> dict[str, Any]:
    return {
        "application_id": application_id,
        "push_id": str(uuid.uuid4()),
        "year": 2026,
        "series": "卫生系列",
        "level": "deputy_senior",
        "org_id": employer,
        "applicant_id": applicant,
        "verdict": verdict,
        "reasons": ["继续教育学时证明缺失", "论文发表时间晚于申报截止日"] if verdict == "returned" else [],
        "decided_at": "2026-12-20T02:00:00+00:00",
        "delivery_id": str(uuid.uuid4()),
        "reviewer": "省职改办 张三",
    }


def review_year_warning(offices: list[str]) -> dict[str, Any]:
    return {
        "year": 2026,
        "deadline": CLOSES_AT,
        "remaining_seconds": 3 * 86400,
        "session_ids": [str(uuid.uuid4())],
        "organizing_org_ids": offices[:1],
        "office_org_ids": offices,
    }


def session_overdue(organizer: str, session_id: str | None = None) -> dict[str, Any]:
    return {
        "session_id": session_id or str(uuid.uuid4()),
        "year": 2026,
        "series": "卫生系列",
        "level": "deputy_senior",
        "deadline": CLOSES_AT,
        "organizing_org_id": organizer,
        "application_ids": [str(uuid.uuid4())],
    }


def application_submitted(application_id: str, applicant: str, employer: str) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "applicant_id": applicant,
        "applicant_name": "李明",
        "org_id": employer,
        "org_path": f"/{employer}/",
        "county_code": "620802",
        "year": 2026,
        "series": "卫生系列",
        "specialty": "内科",
        "level": "deputy_senior",
        "track": "normal",
        "papers": [],
        "chain": [],
        "facts": {},
    }


def application_returned(application_id: str) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "step": "unit",
        "reviewer_id": str(uuid.uuid4()),
        "reasons": ["任职年限证明不清晰"],
    }


def document_issued(application_id: str, applicant: str) -> dict[str, Any]:
    return {
        "document_id": str(uuid.uuid4()),
        "number": "平职改〔2026〕12号-0001",
        "session_id": str(uuid.uuid4()),
        "application_id": application_id,
        "applicant_id": applicant,
        "applicant_name": "李明",
        "year": 2026,
        "series": "卫生系列",
        "level": "deputy_senior",
        "annotations": [],
        "route": "committee",
    }
