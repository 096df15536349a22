"""make demo's provincial filing step (POL-FI-1): the push's filing workflow delivers the batch to the
provincial simulator, whose reviewer approves the application; the signed callback records the
verdict at application-service. Only then may a committee session take it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from zhicheng_kernel.calendar import CHINA_TZ

T = TypeVar("T")


def china_time(iso: str) -> str:
    """An instant as a clerk in Pingliang reads it: 2026-11-30 10:27:11（北京时间）."""
    return f"{datetime.fromisoformat(iso).astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}（北京时间）"


PROVINCE = "provincial-simulator"


class DemoSteps(Protocol):
    endpoints: dict[str, str]
    creds: dict[str, Any]

    def step(self, text: str) -> None: ...

    def call(self, method: str, service: str, path: str, token: str | None = None, **kw: Any) -> Any: ...

    def wait(self, what: str, probe: Callable[[], T | None], timeout: float = 60) -> T: ...


def filed_and_approved(demo: DemoSteps, push: dict[str, Any], app_id: str, operator: str) -> None:
    """Wait for the filing workflow's delivery, approve at the simulator, wait for the verdict."""
    push_id = str(push["push_id"])

    def delivered() -> dict[str, Any] | None:
        filing = demo.call("GET", "application-service", f"/api/v1/filings/{push_id}", operator)
        return filing if filing and filing.get("received_at") else None

    filing = demo.wait("报省审核工作流报送省职改办", delivered)
    ui = f"{demo.endpoints.get('temporal-ui', '')}/namespaces/default/workflows/{filing['workflow_id']}"
    demo.step(
        f"报省职改办审核（POL-FI-1）：Temporal 工作流 {filing['workflow_id']} 已报送，省级系统于"
        f" {china_time(filing['received_at'])} 收到（查看：{ui}）"
    )
    token_file = Path(demo.creds["provincial_simulator"]["reviewer_token_file"])
    reviewer = {"verdict": "approved", "reasons": [], "reviewer": "省职改办 演示审核员"}
    demo.call(
        "POST",
        PROVINCE,
        f"/api/v1/filings/{push_id}/items/{app_id}/verdict",
        token_file.read_text().strip(),
        json=reviewer,
    )
    demo.step("省职改办（模拟系统）审核通过该申报")

    def recorded() -> dict[str, Any] | None:
        application = demo.call("GET", "application-service", f"/api/v1/applications/{app_id}", operator)
        return application if (application.get("filing") or {}).get("verdict") == "approved" else None

    application = demo.wait("省职改办审核结果回调", recorded)
    demo.step(
        f"省职改办审核结果已回调并记录（签名校验，投递号 {application['filing']['delivery_id']}）：申报状态"
        f"“{application['status']}”，可提交评委会评审"
    )
