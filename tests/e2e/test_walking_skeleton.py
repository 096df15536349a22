"""The walking skeleton end to end on the real services: make demo's path, and a broker that dies."""

from __future__ import annotations

import concurrent.futures
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from zhicheng_devstack import local_http
from zhicheng_devstack.demo import Demo
from zhicheng_devstack.demo_filing import PROVINCE

from tests.api_client import Api
from tests.harness import Stack, started_in_background, wait_for
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def worker(stack: Stack) -> Iterator[concurrent.futures.Future[None]]:
    """The workflows worker, starting in the background (its start-up mostly waits): the demo's first
    steps need none, and the demo waits for its filing workflow's delivery anyway."""
    with started_in_background(stack, "workflows") as started:
        yield started


class StagedDemo(Demo):
    """`make demo`'s walk, telling when it has pushed its application (the rest of the walk mostly waits:
    on the province's filing, the draw, the publicity, the document)."""

    def __init__(self) -> None:
        super().__init__()
        self.pushed = threading.Event()

    def step(self, text: str) -> None:
        super().step(text)
        if text.startswith("市职改办推送至"):
            self.pushed.set()


def _demo_data(stack: Stack, data: Path) -> None:
    endpoints = {
        name: stack.url(name)
        for name in ("org-service", "application-service", "review-service", "plagiarism-service", PROVINCE)
    }
    endpoints["temporal-ui"] = stack.servers.temporal.ui_url
    (data / "endpoints.json").write_text(json.dumps(endpoints))
    (data / "dev-credentials.json").write_text(json.dumps(stack.secrets.dev_credentials()))


@pytest.fixture(scope="module")
def demo_numbers(
    stack: Stack, worker: concurrent.futures.Future[None], web_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The demo run twice on the same stack, as `make demo` run again: the second run starts once the
    first has pushed its application (its organizations, applicant, schedule, journal and a pushed
    application waiting for its committee are on the stack) and walks while the first waits out its
    filing, draw and publicity. Each run has its own data directory (its certificates)."""
    runs: list[StagedDemo] = []
    with pytest.MonkeyPatch.context() as env:
        for name in ("demo-data", "demo-again"):
            data = tmp_path_factory.mktemp(name)
            _demo_data(stack, data)
            env.setenv("ZC_DATA_DIR", str(data))
            runs.append(StagedDemo())  # reads its data directory here
    first, again = runs
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first_run = pool.submit(first.run)
        while not first.pushed.wait(0.2) and not first_run.done():
            pass
        second = again.run()  # after the first pushed (or, had it stopped before, after it ended)
        numbers = first_run.result(), second
    worker.result()
    yield numbers


def test_demo_issues_a_qualification_document(demo_numbers: tuple[str, str]) -> None:
    """NAT-1, NAT-2, NAT-3, NAT-7, POL-PA-4, SCHED-1, POL-FI-1: the path `make demo` shows, run by the test
    (the certificate's QR code opens the web application's public page, served at `web_url`), and run
    again on the stack the first run used."""
    first, again = demo_numbers
    for number in (first, again):
        assert number.startswith("平人社职称〔") and number.endswith("号")
    assert first != again


def _org_head_seen_by_application_service(stack: Stack) -> bool:
    # Polled every 0.1 s while the broker is down: the shared TLS context, not one made per call.
    org_head = local_http.get(f"{stack.url('org-service')}/health", timeout=5).json()["head"]
    consumers = local_http.get(f"{stack.url('application-service')}/health", timeout=5).json()["consumers"]
    # Every consumer that follows org-service (others, e.g. the integrity file's, follow review-service only).
    return all(marks["org-service"] >= org_head for marks in consumers.values() if "org-service" in marks)


def test_services_converge_after_the_broker_restarts_empty(stack: Stack) -> None:
    """Events written while the broker is dead, and events it forgot, reach the other service once."""
    api = Api(stack)
    tree = OrgTree(api)
    city_office = tree.city_office()
    wait_for(lambda: _org_head_seen_by_application_service(stack), timeout=60, what="a quiet start")

    stack.servers.kafka.kill9()
    during = [tree.state_unit("平凉市断网期间创建的研究所") for _ in range(3)]
    unit = during[0]
    clerk = unit.clerk("吴敏", ["applicant_management"])
    applicants = [clerk.register_applicant("周强") for _ in range(3)]
    stack.servers.kafka.start()
    after = tree.state_unit("平凉市恢复后创建的研究所")

    wait_for(lambda: _org_head_seen_by_application_service(stack), timeout=90, what="convergence")
    # Each applicant registered during the outage can now submit: application-service knows them and their org.
    for applicant in applicants:
        r = api.post(
            "application-service",
            "/api/v1/applications",
            applicant.token,
            {
                "year": 2026,
                "series": "经济系列",
                "specialty": "经济管理",
                "level": "intermediate",
                "papers": [],
            },
        )
        assert r.status_code == 201, r.text
        assert [step["org_id"] for step in r.json()["chain"]] == [unit.id, city_office.id]
    assert len({o.id for o in [*during, after]}) == 4


def test_a_paper_with_nothing_to_check_is_refused_at_submission_with_its_reason(stack: Stack) -> None:
    """POL-PA-4 and issue 12's finding 6: a paper with nothing to match (punctuation only) would come back
    from plagiarism-service as a check the applicant spoilt; application-service, which accepts exactly what
    plagiarism-service can check, refuses it at once, naming the field, in Chinese."""
    api = Api(stack)
    unit = OrgTree(api).state_unit("平凉市查重测试中学")
    token = unit.clerk("郑洁", ["applicant_management"]).register_applicant("冯涛").token
    paper = {
        "title": "标点",
        "journal": "甘肃教育",
        "journal_level": "provincial",
        "published_on": "2025-03-01",
        "authors": ["冯涛"],
        "text": "。，、；：？！……——",
    }
    body = {
        "year": 2026,
        "series": "中小学教师系列",
        "specialty": "中学语文",
        "level": "intermediate",
        "papers": [paper],
    }
    r = api.post("application-service", "/api/v1/applications", token, body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "papers.0.text"
    assert "没有可检测的文字" in problem["detail"]


def test_NAT_10_anyone_verifies_an_issued_document_by_its_number(stack: Stack, demo_numbers: tuple[str, str]) -> None:
    """NAT-10: an electronic document can be verified publicly; the holder's name is masked."""
    url = f"{stack.url('review-service')}/api/v1/documents/verify"
    for number in demo_numbers:
        found = httpx.get(url, params={"number": number})  # no token: public
        assert found.status_code == 200, found.text
        assert found.json()["valid"] is True and found.json()["holder"] == "李*" and found.json()["level"] == "中级"
    missing = httpx.get(url, params={"number": "平人社职称〔2026〕99999号"})
    assert missing.status_code == 404 and missing.json()["code"] == "document_not_found"
