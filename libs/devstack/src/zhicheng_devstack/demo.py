"""make demo: one application from an organization to an issued qualification document.

Runs against the stack of `make run`, through the public HTTP APIs only, and prints each step.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.identifiers import credit_code_with_check

from .certificate_check import certificate_checked
from .demo_filing import filed_and_approved
from .paths import StackPaths

T = TypeVar("T")
# The demo paper's journal, as the office records it when a production start left the registry empty.
DEMO_JOURNAL = {
    "cn_number": "CN62-1026/G4",
    "name": "甘肃教育",
    "core_years": "",
    "provincial_authoritative": "是",
    "press_listed": "是",
    "electronic": "否",
}
YEAR = date.today().year
SERIES = "中小学教师系列"
LEVEL = "intermediate"

# A sentence quoted from the seeded reference corpus (document CNKI-2019-0001): the check finds it,
# and the rest of the paper is original, so the similarity stays well under 15 % (POL-PA-4).
PAPER_TEXT = (
    "乡村初中数学课堂中的分层作业设计研究\n"
    "本文以平凉市某乡村初级中学八年级两个平行班为对象，开展为期一学期的分层作业实践。"
    "研究发现，学生的作业完成率由百分之七十一提高到百分之九十二，课堂提问的参与面明显扩大。"
    "分层作业并不是简单地把题目分成难易三档，而是要依据学生前测结果动态调整组别，"
    "并在每周的教研活动中由备课组共同审议题目的梯度和数量。"
    "同时，问题链的难度梯度必须与学生的认知水平相匹配，否则容易造成课堂节奏拖沓。"
    "在实践中我们还发现，作业批改方式的改变同样重要：教师用简短的评语代替单纯的对错符号，"
    "学生订正的主动性随之提高。对于基础薄弱的学生，教师安排了课后十五分钟的面批时间。"
    "家长问卷显示，多数家庭认为孩子的作业负担有所减轻，而学习信心有所增强。"
    "本研究的局限在于样本量较小、周期较短，后续将在全县范围内扩大样本继续跟踪。"
)


POOLS = {
    "structure_ratio": "占本单位专业技术岗位结构比例",
    "grassroots_separate": "基层高级岗位单列（POL-GR-1）",
    "not_counted": "不占岗位结构比例",
}


class Demo:
    def __init__(self) -> None:
        paths = self.paths = StackPaths.locate()
        try:
            self.endpoints: dict[str, str] = json.loads(paths.endpoints_file.read_text())
            self.creds: dict[str, Any] = json.loads(paths.credentials_file.read_text())
        except FileNotFoundError:
            sys.exit("本地系统尚未启动：请先运行 make run。")
        self.http = httpx.Client(timeout=30)
        self.tag = "".join("零一二三四五六七八九"[int(c)] for c in f"{secrets.randbelow(10**4):04d}")
        self.step_no = 0

    # -- plumbing -------------------------------------------------------------------------------

    def step(self, text: str) -> None:
        self.step_no += 1
        print(f"[{self.step_no:02d}] {text}", flush=True)

    def call(self, method: str, service: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.http.request(method, f"{self.endpoints[service]}{path}", headers=headers, **kw)
        if r.status_code >= 400:
            sys.exit(f"    失败：{method} {service}{path} → {r.status_code} {r.text}")
        return r.json() if r.content else None

    def fetch(self, service: str, path: str, token: str | None = None) -> bytes:
        """A file (a certificate's PDF) from a service, as bytes."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.http.get(f"{self.endpoints[service]}{path}", headers=headers)
        if r.status_code >= 400:
            sys.exit(f"    失败：GET {service}{path} → {r.status_code} {r.text}")
        return r.content

    def login(self, username: str, password: str) -> str:
        body = self.call("POST", "org-service", "/api/v1/auth/token", data={"username": username, "password": password})
        if body["password_change_required"]:
            new = f"Pl{secrets.token_hex(6)}8"
            body = self.call(
                "POST",
                "org-service",
                "/api/v1/auth/password",
                body["access_token"],
                json={"old_password": password, "new_password": new},
            )
        return str(body["access_token"])

    def wait(self, what: str, probe: Callable[[], T | None], timeout: float = 60) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            time.sleep(0.3)
        sys.exit(f"    超时：{what}")

    # -- the walk ---------------------------------------------------------------------------------

    def run(self) -> str:
        office = self.creds["city_title_office"]
        self.step(f"市职改办系统管理员 {office['system_admin']['username']} 登录")
        admin = self.login(office["system_admin"]["username"], office["system_admin"]["password"])
        operator = self.login(office["business_admin"]["username"], office["business_admin"]["password"])

        dept = self.call(
            "POST",
            "org-service",
            "/api/v1/orgs",
            admin,
            json={
                "name": f"平凉市教育局演示{self.tag}",
                "kind": "government_department",
                "level": "city",
                "division_code": "620800",
                "credit_code": _credit_code(),
                "function": "education",
            },
        )
        self.step(f"创建市直部门「{dept['name']}」（ORG-1），系统管理员账号 {dept['admin']['username']}")
        dept_admin = self.login(dept["admin"]["username"], dept["admin"]["initial_password"])
        dept_reviewer = self.call(
            "POST",
            "org-service",
            "/api/v1/accounts/business-admins",
            dept_admin,
            json={"display_name": "张主任", "roles": ["department_review"]},
        )
        unit = self.call(
            "POST",
            "org-service",
            "/api/v1/orgs",
            dept_admin,
            json={
                "name": f"平凉市第二中学演示{self.tag}",
                "kind": "state_unit",
                "unit_type": "school",
                "level": "city",
                "division_code": "620800",
                "credit_code": _credit_code(),
            },
        )
        self.step(f"市教育局创建所属单位「{unit['name']}」（ORG-1），系统管理员账号 {unit['admin']['username']}")
        unit_admin = self.login(unit["admin"]["username"], unit["admin"]["initial_password"])
        unit_clerk = self.call(
            "POST",
            "org-service",
            "/api/v1/accounts/business-admins",
            unit_admin,
            json={"display_name": "王老师", "roles": ["applicant_management", "unit_review"]},
        )
        clerk = self.login(unit_clerk["username"], unit_clerk["initial_password"])
        id_card = _id_card()
        applicant = self.call(
            "POST",
            "org-service",
            "/api/v1/accounts/applicants",
            clerk,
            json={"display_name": "李明", "id_card_number": id_card},
        )
        self.step(f"单位业务管理员 {unit_clerk['username']} 登记申报人 李明（账号 {applicant['username']}）")
        applicant_token = self.login(applicant["username"], applicant["initial_password"])
        self.schedule_published(operator)
        self.journal_known(operator)

        def submitted() -> Any:
            r = self.http.post(
                f"{self.endpoints['application-service']}/api/v1/applications",
                headers={"Authorization": f"Bearer {applicant_token}"},
                json={
                    "year": YEAR,
                    "series": SERIES,
                    "specialty": "中学数学",
                    "level": LEVEL,
                    "track": "normal",
                    "papers": [
                        {
                            "title": "乡村初中数学课堂中的分层作业设计研究",
                            "journal": DEMO_JOURNAL["name"],
                            "cn_number": DEMO_JOURNAL["cn_number"],
                            "journal_level": "provincial",
                            "published_on": f"{YEAR - 1}-05-10",
                            "authors": ["李明"],
                            "text": PAPER_TEXT,
                        }
                    ],
                },
            )
            # The new applicant reaches application-service as an event; wait for it.
            return r.json() if r.status_code == 201 else None

        application = self.wait("申报人信息同步到申报服务", submitted)
        app_id = application["id"]
        self.step(f"李明提交 {YEAR} 年度{SERIES}（中级）申报，附论文一篇：申报编号 {app_id}")

        report = self.call("GET", "application-service", f"/api/v1/applications/{app_id}/eligibility", applicant_token)
        applied = [o for o in report["outcomes"] if o["outcome"] != "not_applicable"]
        failed = [o["rule_id"] for o in applied if o["outcome"] == "fail"]
        self.step(
            f"资格审查（政策规则引擎）：适用 {len(applied)} 条规则，"
            + ("全部符合" if not failed else f"不符合：{'、'.join(failed)}")
            + "，"
            + POOLS.get(report.get("quota_pool", {}).get("pool", ""), "")
        )

        def checked() -> Any:
            body = self.call("GET", "application-service", f"/api/v1/applications/{app_id}", applicant_token)
            return body if body["checks"] and len(body["checks"]) == len(body["papers"]) else None

        body = self.wait("论文查重结果", checked)
        for check in _checks(body["checks"]):
            self.step(
                f"查重服务比对论文：复制比 {float(check['copy_ratio']):.1%}（省级期刊上限 25%，POL-PA-4），"
                f"结论 {'通过' if check['decision'] == 'pass' else '未通过'}"
            )

        self.call("POST", "application-service", f"/api/v1/applications/{app_id}/publicity", clerk, json={})
        self.step("单位在本单位内部公示申报材料（NAT-5：不少于 5 个工作日，本地演示环境压缩为数秒）")
        version = self.wait(
            "单位内部公示期满", lambda: self.approve_after_publicity(app_id, clerk, "单位审核通过，公示期满无异议。")
        )
        self.step("公示期满，用人单位审核通过（NAT-7 逐级：单位 → 主管部门 → 职改办）")
        dept_token = self.login(dept_reviewer["username"], dept_reviewer["initial_password"])
        version = self.decide(app_id, dept_token, "主管部门审核通过。", version)
        self.step("主管部门（市教育局）审核通过")
        self.decide(app_id, operator, "市职改办审核通过。", version)
        self.step("市职改办审核通过")
        push = self.call(
            "POST",
            "application-service",
            "/api/v1/pushes",
            operator,
            json={"year": YEAR, "series": SERIES, "level": LEVEL, "application_ids": [app_id]},
        )
        self.step(f"市职改办推送至{SERIES}中级评委会（SCHED-1 推送月份内）：推送批次 {push.get('push_id', push)}")
        filed_and_approved(self, push, app_id, operator)  # POL-FI-1: the province approves before the committee

        experts = []
        for name in ("赵老师", "钱老师", "孙老师", "周老师", "吴老师"):
            expert = self.call(
                "POST",
                "org-service",
                "/api/v1/accounts/experts",
                operator,
                json={"display_name": name, "series": [SERIES], "title_level": "senior"},
            )
            experts.append({**expert, "token": self.login(expert["username"], expert["initial_password"])})
        self.step("登记 5 名评审专家")
        # NAT-6: the experts enter the city office's pool (专家库) for a 3-year term, with their employers;
        # one teaches at the applicant's school and will be recused from judging him (NAT-4).
        today = datetime.now(CHINA_TZ).date()
        term_ends = _years_later(today, 3) - timedelta(days=1)
        employers = [dept["id"]] * 4 + [unit["id"]]
        for expert, employer in zip(experts, employers, strict=True):

            def appointed(expert: dict[str, Any] = expert, employer: str = employer) -> Any:
                r = self.http.post(
                    f"{self.endpoints['review-service']}/api/v1/expert-pool",
                    headers={"Authorization": f"Bearer {operator}"},
                    json={
                        "account_id": expert["account_id"],
                        "specialty": "中学数学",
                        "employer_org_id": employer,
                        "term_starts_on": today.isoformat(),
                        "term_ends_on": term_ends.isoformat(),
                    },
                )
                return r.json() if r.status_code == 201 else None

            self.wait("专家信息同步到评审服务", appointed)
        self.step(
            f"5 名专家入专家库，聘期 {today.isoformat()} 至 {term_ends.isoformat()}（NAT-6 最长 3 年），含工作单位"
        )

        def formed() -> Any:
            r = self.http.post(
                f"{self.endpoints['review-service']}/api/v1/committees",
                headers={"Authorization": f"Bearer {operator}"},
                json={
                    "name": f"平凉市{SERIES}中级评审委员会（演示{self.tag}）",
                    "series": SERIES,
                    "level": LEVEL,
                    "expert_ids": [e["account_id"] for e in experts],
                },
            )
            return r.json() if r.status_code == 201 else None

        committee = self.wait("专家信息同步到评审服务", formed)
        self.step(
            f"组建评审委员会（5 人，单数，NAT-6）：{committee['committee_id']}，"
            f"备案有效期至 {committee['filing_expires_on']}"
        )

        def opened() -> Any:
            r = self.http.post(
                f"{self.endpoints['review-service']}/api/v1/committees/{committee['committee_id']}/sessions",
                headers={"Authorization": f"Bearer {operator}"},
                # Its own candidate only: an earlier demo's pushed application may still wait on this stack.
                json={"year": YEAR, "publicity_seconds": 5, "sitting": 3, "reserves": 2, "application_ids": [app_id]},
            )
            return r.json() if r.status_code == 201 and r.json().get("application_ids") else None

        session = self.wait("推送的申报到达评审服务", opened)
        session_id = session["session_id"]
        drawn_n, reserves_m = session["sitting"], session["reserves"]
        self.step(f"随机抽取评审专家（NAT-4）：抽取 {drawn_n} 名，候补 {reserves_m} 名（名单仅组建单位可见）")
        self.step(
            f"召开评审会议，Temporal 工作流 {session['workflow_id']} 已启动（查看："
            f"{self.endpoints.get('temporal-ui', '')}/namespaces/default/workflows/{session['workflow_id']}）"
        )
        self.hold_defense(session_id, app_id, operator)
        drawn = self.call("GET", "review-service", f"/api/v1/sessions/{session_id}/draw", operator)
        present = drawn["sitting_expert_ids"] + drawn["reserve_expert_ids"]
        recused = sum(len(v) for v in drawn["recusals"].values())
        self.step(f"抽取记录（种子 {drawn['seed'][:8]}…，可复算）：同单位回避 {recused} 人次（NAT-4）")
        self.call(
            "POST",
            "review-service",
            f"/api/v1/sessions/{session_id}/attendance",
            operator,
            json={"present_expert_ids": present},
        )
        self.step(f"登记出席专家 {len(present)} 人（抽取的评审专家与候补专家，NAT-1）")
        voters = 0
        for expert in experts:
            if expert["account_id"] not in present:
                continue
            form = self.call("GET", "review-service", f"/api/v1/sessions/{session_id}/ballot-form", expert["token"])
            if not form["application_ids"]:
                continue  # recused, or a reserve not needed: no line on the ballot form
            self.call(
                "POST",
                "review-service",
                f"/api/v1/sessions/{session_id}/ballots",
                expert["token"],
                json={"votes": dict.fromkeys(form["application_ids"], "yes")},
            )
            voters += 1
        self.step(f"{voters} 名可评审的专家按各自表决票无记名投票，全部同意（达到评审该候选人专家的 2/3，NAT-2）")
        self.call("POST", "review-service", f"/api/v1/sessions/{session_id}/close-voting", operator)
        self.step("结束投票：工作流计票、公示评审结果（演示公示期 5 秒，NAT-3）")

        def issued() -> Any:
            docs = self.call("GET", "review-service", "/api/v1/documents", operator, params={"application_id": app_id})
            return docs["items"][0] if docs["items"] else None

        document = self.wait("公示期满后印发职称资格文件", issued, timeout=120)
        self.step(f"印发职称资格文件：{document['number']}")

        def decided() -> Any:
            body = self.call("GET", "application-service", f"/api/v1/applications/{app_id}", applicant_token)
            return body if body.get("document_number") else None

        final = self.wait("申报服务收到发文结果", decided)
        status = {"titled": "已取得职称资格", "not_passed": "未通过评审"}.get(final["status"], final["status"])
        self.step(f"申报状态：{status}，资格文件号 {final['document_number']}")
        certificate_checked(self, document, applicant_token, self.paths.data / "certificates")
        return str(document["number"])

    def hold_defense(self, session_id: str, app_id: str, operator: str) -> None:
        """NAT-9 and POL-VD-1 before the vote: a review panel of 3 drawn from the pool of the series and
        specialty (its experts appointed by the office), the candidate's online video defense, its record
        and the panel's opinion."""
        panel = self.call(
            "POST",
            "review-service",
            f"/api/v1/sessions/{session_id}/panels",
            operator,
            json={"specialty": "中学数学", "size": 3, "application_ids": [app_id]},
        )
        self.step(f"从专家库随机抽取评议组 3 人（单数，NAT-9），抽取种子 {panel['seed']}")
        starts_at = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
        slot = self.call(
            "POST",
            "review-service",
            f"/api/v1/panels/{panel['panel_id']}/defenses",
            operator,
            json={"application_id": app_id, "starts_at": starts_at, "minutes": 30, "mode": "video"},
        )
        self.step(f"网络视频答辩（POL-VD-1）：已安排，会议室链接 {slot['join_url']}（已通知申报人和评议组专家）")
        scores = [{"expert_id": e, "score": 86, "opinion": "答辩思路清晰，业绩属实"} for e in slot["expert_ids"]]
        self.call(
            "POST",
            "review-service",
            f"/api/v1/panels/{panel['panel_id']}/defenses/{app_id}/record",
            operator,
            json={"attended": True, "recording_ref": f"答辩录像-{self.tag}", "scores": scores},
        )
        self.call(
            "POST",
            "review-service",
            f"/api/v1/panels/{panel['panel_id']}/opinions",
            operator,
            json={"application_id": app_id, "opinion": "recommend", "summary": "答辩合格，同意提交评委会表决"},
        )
        self.step(f"登记答辩情况（{len(scores)} 名专家评分，录像已存档）与评议组意见：同意推荐")

    def approve_after_publicity(self, app_id: str, token: str, opinion: str) -> int | None:
        """The unit's approval, or None while its publicity runs (NAT-5 answers 409 publicity_in_progress)."""
        version = self.call("GET", "application-service", f"/api/v1/applications/{app_id}", token)["version"]
        r = self.http.post(
            f"{self.endpoints['application-service']}/api/v1/applications/{app_id}/decisions",
            headers={"Authorization": f"Bearer {token}"},
            json={"decision": "approve", "opinion": opinion, "expected_version": version},
        )
        if r.status_code == 409 and r.json().get("code") == "publicity_in_progress":
            return None
        if r.status_code >= 400:
            sys.exit(f"    失败：单位审核 → {r.status_code} {r.text}")
        return int(r.json()["version"])

    def schedule_published(self, operator: str) -> None:
        """SCHED-4: a year without a published schedule accepts no application and no push; the demo
        publishes this year's from the notice's 2021 months when the office has not."""
        base = self.endpoints["application-service"]
        if self.http.get(f"{base}/api/v1/schedules/{YEAR}").status_code == 200:
            return
        series = [
            {"series": e["series"], "push_month": e["push_month"], "grassroots": e["grassroots"]}
            for e in self.call("GET", "application-service", "/api/v1/schedules/2021")["series"]
        ]
        self.call("PUT", "application-service", f"/api/v1/schedules/{YEAR}", operator, json={"series": series})
        self.step(f"市职改办发布 {YEAR} 年度职称申报推送时间安排（SCHED-4，以 2021 年安排为底稿）")

    def journal_known(self, operator: str) -> None:
        """The demo seeds its own: a stack started as in production has empty registries, and a paper in a
        journal the registries do not know waits for the title office to classify it (POL-PA-3)."""
        known = self.http.get(
            f"{self.endpoints['application-service']}/api/v1/registries/journals/entries/{DEMO_JOURNAL['cn_number']}",
            headers={"Authorization": f"Bearer {operator}"},
        )
        if known.status_code == 200:
            return
        self.call("PUT", "application-service", "/api/v1/registries/journals/entries", operator, json=DEMO_JOURNAL)
        self.step(f"期刊目录中尚无《{DEMO_JOURNAL['name']}》：市职改办核定后录入期刊目录（省级期刊）")

    def decide(self, app_id: str, token: str, opinion: str, version: int | None = None) -> int:
        if version is None:
            version = self.call("GET", "application-service", f"/api/v1/applications/{app_id}", token)["version"]
        body = self.call(
            "POST",
            "application-service",
            f"/api/v1/applications/{app_id}/decisions",
            token,
            json={"decision": "approve", "opinion": opinion, "expected_version": version},
        )
        return int(body["version"])


def _checks(checks: Any) -> list[dict[str, Any]]:
    return list(checks.values()) if isinstance(checks, dict) else list(checks)


def _credit_code() -> str:
    """A unified social credit code of the demo's own (ORG-3): an organ of state in the city, random serial."""
    serial = "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return credit_code_with_check(f"11620800{serial}")


def _id_card() -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    n = secrets.randbelow(14_000 * 1000)  # birth date and sequence: a repeated demo never collides
    first17 = f"620802{date(1960, 1, 1) + timedelta(days=n % 14_000):%Y%m%d}{n // 14_000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _years_later(day: date, years: int) -> date:
    """The same day `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def main() -> None:
    number = Demo().run()
    print(f"\n完成：职称资格文件号 {number}")


if __name__ == "__main__":
    main()
