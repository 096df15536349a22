"""The chaos run's load: applications through the public HTTP APIs only, from an organisation to an
issued qualification document, as `make demo` and tests/review/scenario.py drive them.

Every command is sent with an Idempotency-Key and retried with the same key while a service is down
(connection refused, 5xx), within a bound; what answered 200/201 is written down in the `Ledger`, which
the checks (chaos_checks.py) compare with what the services hold afterwards. Submissions and applicant
registrations are also sent a second time on purpose, with the same key: they must act once.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_time
from typing import Any, TypeVar

import httpx
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.identifiers import credit_code_with_check, id_card_with_check

T = TypeVar("T")

PROVINCE = "provincial-simulator"
SPECIALTY = "临床医学"
POOL_SPECIALTY = "内科学"
LEVEL = "intermediate"
JOURNAL = {"name": "甘肃教育", "cn_number": "CN62-1026/G4", "level": "provincial"}
# A paper of the applicant's own: one quoted sentence of the seeded corpus, the rest original.
PAPER_TEXT = (
    "本文以平凉市某县级医院内科住院患者为对象，开展为期一年的分级护理与随访实践。"
    "研究发现，规范随访使患者复诊率明显提高，家庭自我管理的参与面明显扩大。"
    "分层随访并不是简单地把患者分成轻重三档，而是要依据首诊评估结果动态调整组别，"
    "并在每周的科室例会上由医护共同审议随访的频次和内容。"
)
# A call waits at most this long for a service that is down (the longest outage plus its restart).
CALL_BOUND_SECONDS = 120.0
# Answers that mean "down or restarting": retried with the same Idempotency-Key.
RETRIED_STATUS = frozenset({500, 502, 503, 504})


class LoadError(RuntimeError):
    """The load could not go on (an answer it cannot read as a step of the process)."""


@dataclass
class Accepted:
    """One command the load got 2xx for."""

    service: str
    method: str
    path: str
    status: int
    key: str
    attempts: int
    result_id: str | None
    at: float = field(default_factory=time.monotonic)  # when the answer came (monotonic clock)


@dataclass
class Ledger:
    """What the load was told, to compare with what the services hold."""

    accepted: list[Accepted] = field(default_factory=list)
    # application id -> applicant account id
    applications: dict[str, str] = field(default_factory=dict)
    applicants: dict[str, str] = field(default_factory=dict)  # account id -> id card number
    orgs: list[str] = field(default_factory=list)
    # application ids a session tallied: each must end with a qualification document
    in_sessions: dict[str, str] = field(default_factory=dict)  # application id -> session id
    pushes: list[str] = field(default_factory=list)
    # Idempotency-Key -> the result ids of the answers to every sending of that key (retries included)
    answers_by_key: dict[str, set[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the load had to work around
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, entry: Accepted) -> None:
        with self.lock:
            self.accepted.append(entry)
            if entry.result_id is not None:
                self.answers_by_key.setdefault(entry.key, set()).add(entry.result_id)


@dataclass
class Endpoints:
    urls: dict[str, str]
    admin_password: str
    operator_password: str
    reviewer_token: str
    # A service with replicas: its requests go to each in turn (the deadline rush's two-replica run).
    replicas: dict[str, list[str]] = field(default_factory=dict)


class Client:
    """HTTP with bounded retries through outages; one httpx client per thread."""

    def __init__(self, endpoints: Endpoints, ledger: Ledger, bound: float = CALL_BOUND_SECONDS) -> None:
        self.endpoints = endpoints
        self.ledger = ledger
        self.bound = bound
        self._local = threading.local()
        self.retries = 0
        self._turn = 0  # the replica the next request goes to
        # An access token lives 30 minutes; a long run renews it as the web application does: by its refresh
        # token (rotated at each use). access token -> its refresh token; expired token -> its renewal.
        self._refresh: dict[str, str] = {}
        self._renewed: dict[str, str] = {}
        self._renewing = threading.Lock()
        self.renewals = 0
        # When a list: each answer's (service, seconds, status), as the deadline-rush bench reports them.
        self.timings: list[tuple[str, float, int]] | None = None

    def remember(self, answer: dict[str, Any]) -> str:
        """A token answer (login, password change, refresh): its access token, whose refresh token is kept."""
        access = str(answer["access_token"])
        if answer.get("refresh_token"):
            with self._renewing:
                self._refresh[access] = str(answer["refresh_token"])
        return access

    def current(self, token: str) -> str:
        """The newest renewal of `token`."""
        while token in self._renewed:
            token = self._renewed[token]
        return token

    def renew(self, token: str) -> str:
        """`token` expired: the access token its refresh token gives (once, however many threads ask)."""
        with self._renewing:
            if token in self._renewed:
                return self.current(token)
            refresh = self._refresh.pop(token, None)
            if refresh is None:
                raise LoadError("an access token expired that no refresh token renews")
            r = self.http.post(
                self.endpoints.urls["org-service"] + "/api/v1/auth/token",
                data={"grant_type": "refresh_token", "refresh_token": refresh},
            )
            if r.status_code != 200:
                raise LoadError(f"renewing an access token: {r.status_code} {r.text[:300]}")
            body = r.json()
            fresh = str(body["access_token"])
            self._refresh[fresh] = str(body["refresh_token"])
            self._renewed[token] = fresh
            self.renewals += 1
            return fresh

    def base_url(self, service: str) -> str:
        replicas = self.endpoints.replicas.get(service)
        if not replicas:
            return self.endpoints.urls[service]
        self._turn += 1
        return replicas[self._turn % len(replicas)]

    @property
    def http(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(timeout=15)
        return client

    def request(
        self,
        method: str,
        service: str,
        path: str,
        token: str | None = None,
        *,
        key: str | None = None,
        **kw: Any,
    ) -> tuple[httpx.Response, int]:
        """The answer once the service answers with something other than "down"; the number of tries."""
        headers = {"Idempotency-Key": key} if key is not None else {}
        deadline = time.monotonic() + self.bound
        attempts = 0
        while True:
            attempts += 1
            if token:
                token = self.current(token)
                headers["Authorization"] = f"Bearer {token}"
            try:
                sent = time.perf_counter()
                r = self.http.request(method, self.base_url(service) + path, headers=headers, **kw)
                if self.timings is not None:
                    self.timings.append((service, time.perf_counter() - sent, r.status_code))
                expired = r.status_code == 401 and bool(token) and r.json().get("code") == "token_expired"
                if expired:  # renewed, then sent again within the same bound as any retry
                    self.renew(token or "")
                elif r.status_code not in RETRIED_STATUS:
                    return r, attempts
                last = f"{r.status_code} {r.text[:200]}"
            except httpx.TransportError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise LoadError(f"{method} {service}{path}: no answer within {self.bound:.0f} s ({last})")
            with self.ledger.lock:
                self.retries += 1
            time.sleep(0.5)

    def command(
        self,
        method: str,
        service: str,
        path: str,
        token: str | None,
        *,
        ok: tuple[int, ...] = (200, 201),
        key: str | None = None,
        id_field: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A command with an Idempotency-Key; a 2xx answer is recorded in the ledger."""
        key = key or str(uuid.uuid4())
        r, attempts = self.request(method, service, path, token, key=key, **kw)
        if r.status_code in ok:
            result = str(r.json().get(id_field)) if id_field and r.content else None
            self.ledger.record(Accepted(service, method, path, r.status_code, key, attempts, result))
        return r

    def must(self, r: httpx.Response, what: str, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        if r.status_code not in ok:
            raise LoadError(f"{what}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def get(self, service: str, path: str, token: str | None = None, **kw: Any) -> Any:
        r, _ = self.request("GET", service, path, token, **kw)
        return self.must(r, f"GET {service}{path}", (200,))

    def until(self, what: str, probe: Callable[[], T | None], timeout: float = 180.0) -> T:
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise LoadError(f"timed out: {what}")
            time.sleep(0.3)


def _digits_zh(n: int, width: int) -> str:
    return "".join("零一二三四五六七八九"[int(c)] for c in f"{n:0{width}d}")


def _credit_code() -> str:
    serial = "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return credit_code_with_check(f"11620800{serial}")


def _id_card() -> str:
    n = secrets.randbelow(14_000 * 1000)
    return id_card_with_check(f"620802{date(1960, 1, 1) + timedelta(days=n % 14_000):%Y%m%d}{n // 14_000:03d}")


def meeting_window(days_ahead: int) -> dict[str, str]:
    day = datetime.now(CHINA_TZ).date() + timedelta(days=days_ahead + 1)
    starts = datetime.combine(day, day_time(9), tzinfo=CHINA_TZ)
    return {"meeting_starts_at": starts.isoformat(), "meeting_ends_at": (starts + timedelta(hours=8)).isoformat()}


@dataclass
class Org:
    id: str
    admin_token: str


class Load:
    """The organisations, accounts and experts once (`prepare`), then waves of applications (`wave`)."""

    def __init__(self, client: Client, tag: str | None = None) -> None:
        self.c = client
        self.ledger = client.ledger
        self.tag = tag or _digits_zh(secrets.randbelow(10**4), 4)
        self.year = datetime.now(CHINA_TZ).year
        self.series = f"卫生系列混沌{self.tag}"
        self.operator = ""
        self.admin = ""
        self.clerk = ""
        self.unit_id = ""
        self.experts: list[tuple[str, str]] = []  # (account id, token)
        self.committee_id = ""
        self.waves = 0

    # -- accounts -------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> str:
        def attempt() -> dict[str, Any] | None:
            r, _ = self.c.request(
                "POST", "org-service", "/api/v1/auth/token", data={"username": username, "password": password}
            )
            return dict(r.json()) if r.status_code == 200 else None

        body = self.c.until(f"login {username}", attempt, timeout=60)
        if body["password_change_required"]:
            new_password = f"Cs{secrets.token_hex(6)}9"
            r = self.c.command(
                "POST",
                "org-service",
                "/api/v1/auth/password",
                str(body["access_token"]),
                json={"old_password": password, "new_password": new_password},
            )
            # A retry after a crash (same key) answers as the first sending did (finding 22), so a
            # refusal here is the load's error like any other.
            body = self.c.must(r, f"password change of {username}")
        return self.c.remember(body)

    def org(self, token: str, name: str, **body: Any) -> Org:
        r = self.c.command(
            "POST",
            "org-service",
            "/api/v1/orgs",
            token,
            id_field="id",
            json={"name": name, "level": "city", "division_code": "620800", "credit_code": _credit_code(), **body},
        )
        created = self.c.must(r, f"organisation {name}")
        self.ledger.orgs.append(str(created["id"]))
        admin = self.login(created["admin"]["username"], created["admin"]["initial_password"])
        return Org(str(created["id"]), admin)

    def business_admin(self, org: Org, name: str, roles: list[str]) -> str:
        r = self.c.command(
            "POST",
            "org-service",
            "/api/v1/accounts/business-admins",
            org.admin_token,
            id_field="account_id",
            json={"display_name": name, "roles": roles},
        )
        created = self.c.must(r, f"business admin {name}")
        return self.login(created["username"], created["initial_password"])

    def prepare(self, experts: int = 5) -> None:
        """The city office's logins, a hospital with its clerk, the run's series in this year's schedule,
        `experts` experts appointed to the pool at an employer of their own, and their committee."""
        from zhicheng_devstack.credentials import BUSINESS_ADMIN_USERNAME, SYSTEM_ADMIN_USERNAME

        self.admin = self.login(SYSTEM_ADMIN_USERNAME, self.c.endpoints.admin_password)
        self.operator = self.login(BUSINESS_ADMIN_USERNAME, self.c.endpoints.operator_password)
        unit = self.org(self.admin, f"平凉市混沌医院{self.tag}", kind="state_unit", unit_type="hospital")
        self.unit_id = unit.id
        self.clerk = self.business_admin(unit, "王芳", ["applicant_management", "unit_review"])
        employer = self.org(self.admin, f"平凉市混沌专家单位{self.tag}", kind="state_unit", unit_type="other")
        self.add_series_to_schedule()
        self.experts, self.committee_id = self.expert_committee(
            self.series, experts, employer.id, f"平凉市卫生系列中级评审委员会（混沌{self.tag}）"
        )

    def expert_committee(
        self, series: str, experts: int, employer_id: str, name: str
    ) -> tuple[list[tuple[str, str]], str]:
        """`experts` experts of `series` (logged in), appointed to the pool at `employer_id` for two years
        (NAT-6), and their committee `name`: the experts as (account id, token) and the committee's id."""
        appointed: list[tuple[str, str]] = []
        for i in range(experts):
            r = self.c.command(
                "POST",
                "org-service",
                "/api/v1/accounts/experts",
                self.operator,
                id_field="account_id",
                json={"display_name": f"专家{_digits_zh(i, 2)}", "series": [series], "title_level": "senior"},
            )
            e = self.c.must(r, "expert")
            appointed.append((str(e["account_id"]), self.login(e["username"], e["initial_password"])))
        today = datetime.now(CHINA_TZ).date()
        for account_id, _ in appointed:
            body = {
                "account_id": account_id,
                "specialty": POOL_SPECIALTY,
                "employer_org_id": employer_id,
                "term_starts_on": today.isoformat(),
                "term_ends_on": (today + timedelta(days=365 * 2)).isoformat(),
            }
            self.until_created("review-service", "/api/v1/expert-pool", body, "expert in the pool")
        committee = self.until_created(
            "review-service",
            "/api/v1/committees",
            {"name": name, "series": series, "level": LEVEL, "expert_ids": [a for a, _ in appointed]},
            "committee",
        )
        return appointed, str(committee["committee_id"])

    def until_created(self, service: str, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        """A creation that waits for another service's events (422/409/404 until they arrive); one key."""
        key = str(uuid.uuid4())

        def attempt() -> dict[str, Any] | None:
            r = self.c.command("POST", service, path, self.operator, key=key, json=body)
            if r.status_code == 201:
                return dict(r.json())
            if r.status_code not in (404, 409, 422):
                raise LoadError(f"{what}: {r.status_code} {r.text[:300]}")
            return None

        return self.c.until(what, attempt)

    def add_series_to_schedule(self) -> None:
        path = f"/api/v1/schedules/{self.year}"
        current = self.c.get("application-service", path, self.operator)
        entries = [{k: e[k] for k in ("series", "push_month", "grassroots")} for e in current["series"]]
        entries.append({"series": self.series, "push_month": 12, "grassroots": False})
        r = self.c.command("PUT", "application-service", path, self.operator, json={"series": entries})
        self.c.must(r, "schedule")

    # -- one wave of applications ---------------------------------------------------------------

    def wave(self, count: int) -> list[str]:
        """`count` applicants registered, their applications submitted (with a paper each), checked,
        approved up the chain, pushed, approved by the province, reviewed in a committee session and
        issued their documents. Returns the application ids."""
        wave = self.waves
        self.waves += 1
        ids = [self.submit(wave, i) for i in range(count)]
        for app_id in ids:
            self.c.until(f"paper check of {app_id}", functools.partial(self.checked, app_id))
            r = self.c.command(
                "POST", "application-service", f"/api/v1/applications/{app_id}/publicity", self.clerk, json={}
            )
            self.c.must(r, "unit publicity")
        for app_id in ids:
            self.approve(app_id, self.clerk)
            self.approve(app_id, self.operator)
        push = self.push(ids)
        self.filed(push, ids)
        self.session(wave, ids)
        return ids

    def submit(self, wave: int, i: int) -> str:
        id_card = _id_card()
        body = {"display_name": f"李{_digits_zh(wave, 2)}{_digits_zh(i, 3)}", "id_card_number": id_card}
        key = str(uuid.uuid4())
        path = "/api/v1/accounts/applicants"
        first = self.c.must(
            self.c.command("POST", "org-service", path, self.clerk, key=key, id_field="account_id", json=body),
            "applicant",
        )
        # The same command again, as a client that lost the answer would: it must act once.
        self.c.command("POST", "org-service", path, self.clerk, key=key, id_field="account_id", json=body)
        account_id = str(first["account_id"])
        self.ledger.applicants[account_id] = id_card
        token = self.login(first["username"], first["initial_password"])
        application = {
            "year": self.year,
            "series": self.series,
            "specialty": SPECIALTY,
            "level": LEVEL,
            "papers": [
                {
                    "title": f"县级医院内科分层随访的实践研究（{_digits_zh(wave, 2)}{_digits_zh(i, 3)}）",
                    "journal": JOURNAL["name"],
                    "cn_number": JOURNAL["cn_number"],
                    "journal_level": JOURNAL["level"],
                    "published_on": f"{self.year - 1}-05-10",
                    "authors": [body["display_name"]],
                    "text": PAPER_TEXT + f"样本编号{uuid.uuid4().hex}。",
                }
            ],
        }
        key = str(uuid.uuid4())

        def submitted() -> dict[str, Any] | None:
            r = self.c.command(
                "POST", "application-service", "/api/v1/applications", token, key=key, id_field="id", json=application
            )
            if r.status_code == 201:
                return dict(r.json())
            if r.status_code in (403, 404, 409, 422):  # the applicant is still on its way (org-service's event)
                return None
            raise LoadError(f"submission: {r.status_code} {r.text[:300]}")

        created = self.c.until("submission", submitted)
        self.c.command(
            "POST", "application-service", "/api/v1/applications", token, key=key, id_field="id", json=application
        )
        app_id = str(created["id"])
        self.ledger.applications[app_id] = account_id
        return app_id

    def checked(self, app_id: str) -> bool:
        body = self.c.get("application-service", f"/api/v1/applications/{app_id}", self.clerk)
        checks = body["checks"]
        return bool(checks) and len(checks) == len(body["papers"])

    def approve(self, app_id: str, token: str) -> None:
        def attempt() -> bool:
            version = self.c.get("application-service", f"/api/v1/applications/{app_id}", token)["version"]
            r = self.c.command(
                "POST",
                "application-service",
                f"/api/v1/applications/{app_id}/decisions",
                token,
                json={"decision": "approve", "opinion": "同意", "expected_version": version},
            )
            if r.status_code == 200:
                return True
            if r.status_code == 409:  # NAT-5's publicity still runs, or a concurrent event moved the version
                return False
            raise LoadError(f"approval of {app_id}: {r.status_code} {r.text[:300]}")

        self.c.until(f"approval of {app_id}", attempt)

    def push(self, ids: list[str]) -> str:
        body = {"year": self.year, "series": self.series, "level": LEVEL, "application_ids": ids}
        r = self.c.command(
            "POST", "application-service", "/api/v1/pushes", self.operator, id_field="push_id", json=body
        )
        push_id = str(self.c.must(r, "push")["push_id"])
        self.ledger.pushes.append(push_id)
        return push_id

    def filed(self, push_id: str, ids: list[str]) -> None:
        """POL-FI-1: the filing workflow delivers the batch; the simulator's reviewer approves each."""
        self.c.until(
            "delivery to the province",
            lambda: self.c.get("application-service", f"/api/v1/filings/{push_id}", self.operator).get("received_at"),
        )
        for app_id in ids:
            r, _ = self.c.request(
                "POST",
                PROVINCE,
                f"/api/v1/filings/{push_id}/items/{app_id}/verdict",
                self.c.endpoints.reviewer_token,
                json={"verdict": "approved", "reasons": [], "reviewer": "省职改办 混沌测试"},
            )
            self.c.must(r, "provincial verdict")
        for app_id in ids:
            self.c.until(f"provincial verdict of {app_id}", functools.partial(self.province_approved, app_id))

    def province_approved(self, app_id: str) -> bool:
        application = self.c.get("application-service", f"/api/v1/applications/{app_id}", self.operator)
        return bool((application.get("filing") or {}).get("verdict") == "approved")

    def session(self, wave: int, ids: list[str]) -> None:
        """A committee session of the wave's candidates: draw, attendance, a secret ballot of every
        drawn expert (all yes), voting closed; the workflow tallies, publishes and issues documents."""
        body = {
            "year": self.year,
            "publicity_seconds": 5,
            "sitting": 3,
            "reserves": 2,
            "application_ids": ids,
            **meeting_window(wave),
        }
        path = f"/api/v1/committees/{self.committee_id}/sessions"

        def opened() -> dict[str, Any] | None:
            r = self.c.command("POST", "review-service", path, self.operator, key=key, json=body)
            if r.status_code == 201 and set(ids) <= set(r.json().get("application_ids", [])):
                return dict(r.json())
            if r.status_code in (201, 404, 409, 422):  # candidates still on their way
                return None
            raise LoadError(f"session: {r.status_code} {r.text[:300]}")

        key = str(uuid.uuid4())
        session = self.c.until("session with the wave's candidates", opened)
        session_id = str(session["session_id"])
        for app_id in ids:
            self.ledger.in_sessions[app_id] = session_id
        self.defenses(session_id, ids)
        self.vote(session_id, self.experts)

    def vote(self, session_id: str, experts: list[tuple[str, str]]) -> None:
        """The drawn experts (sitting and reserves) present, each present one's secret ballot (all yes),
        voting closed: the workflow tallies, publishes and issues the documents."""
        draw = self.c.get("review-service", f"/api/v1/sessions/{session_id}/draw", self.operator)
        present = draw["sitting_expert_ids"] + draw["reserve_expert_ids"]
        r = self.c.command(
            "POST",
            "review-service",
            f"/api/v1/sessions/{session_id}/attendance",
            self.operator,
            json={"present_expert_ids": present},
        )
        self.c.must(r, "attendance")
        for account_id, token in experts:
            if account_id not in present:
                continue
            form = self.c.get("review-service", f"/api/v1/sessions/{session_id}/ballot-form", token)
            if not form["application_ids"]:
                continue
            r = self.c.command(
                "POST",
                "review-service",
                f"/api/v1/sessions/{session_id}/ballots",
                token,
                json={"votes": dict.fromkeys(form["application_ids"], "yes")},
            )
            self.c.must(r, "ballot")
        r = self.c.command("POST", "review-service", f"/api/v1/sessions/{session_id}/close-voting", self.operator)
        self.c.must(r, "close voting")

    def defenses(self, session_id: str, ids: list[str]) -> None:
        """NAT-9 and POL-VD-1 before the vote: a panel of 3 drawn from the pool, each candidate's video
        defense scheduled and recorded, the panel's opinion."""
        r = self.c.command(
            "POST",
            "review-service",
            f"/api/v1/sessions/{session_id}/panels",
            self.operator,
            id_field="panel_id",
            json={"specialty": POOL_SPECIALTY, "size": 3, "application_ids": ids},
        )
        panel_id = str(self.c.must(r, "panel")["panel_id"])
        starts_at = (datetime.now(CHINA_TZ) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
        for app_id in ids:
            r = self.c.command(
                "POST",
                "review-service",
                f"/api/v1/panels/{panel_id}/defenses",
                self.operator,
                json={"application_id": app_id, "starts_at": starts_at, "minutes": 30, "mode": "video"},
            )
            slot = self.c.must(r, "defense")
            scores = [{"expert_id": e, "score": 86, "opinion": "答辩思路清晰，业绩属实"} for e in slot["expert_ids"]]
            r = self.c.command(
                "POST",
                "review-service",
                f"/api/v1/panels/{panel_id}/defenses/{app_id}/record",
                self.operator,
                json={"attended": True, "recording_ref": f"答辩录像-{self.tag}-{app_id[:8]}", "scores": scores},
            )
            self.c.must(r, "defense record")
            r = self.c.command(
                "POST",
                "review-service",
                f"/api/v1/panels/{panel_id}/opinions",
                self.operator,
                json={"application_id": app_id, "opinion": "recommend", "summary": "答辩合格，同意提交评委会表决"},
            )
            self.c.must(r, "panel opinion")
