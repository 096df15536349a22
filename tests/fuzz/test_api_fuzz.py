"""schemathesis against every service's OpenAPI document, as every kind of caller (issue 12, finding 27).

No 5xx, no status the document does not declare, no answer that breaks its schema or content type, no
answer slower than `fuzzing.MAX_SECONDS`. CI runs a bounded budget (`ZC_FUZZ_EXAMPLES`, default 2
generated requests per operation and mode, as a representative set of callers); `make fuzz` runs the
full budget as every caller (`ZC_FUZZ_EXAMPLES=25 ZC_FUZZ_CALLERS=all`).

The fuzzer creates what it may (organizations, accounts, applications with random content) on the
stack it runs on, so these tests run after every other test of the session (tests/conftest.py orders
them last).
"""

from __future__ import annotations

import os

import pytest

from tests.api_client import Api
from tests.fuzz.fuzzing import Report, fuzz_service
from tests.harness import Stack
from tests.org_tree import callers_at_three_places

SERVICES = ("org-service", "application-service", "review-service", "plagiarism-service")
# The callers CI sends each request as: an administrator, an applicant, a county office beside the
# unit, a service, nobody (the authorization matrices try every role on every route; `make fuzz` fuzzes
# as all of them).
CI_CALLERS = (
    "system_admin",
    "applicant",
    "service",
    "anonymous",
    "title_office_review@county",
)
# Operations a fuzzer must not call on a shared stack, with the reason.
SKIP: dict[str, str] = {}


@pytest.fixture(scope="module")
def callers(stack: Stack) -> dict[str, str | None]:
    tokens, _ = callers_at_three_places(Api(stack), "模糊", ("泾川县", "620821"), applicants=1, series="卫生系列")
    if os.environ.get("ZC_FUZZ_CALLERS", "") == "all":
        return tokens
    return {name: tokens[name] for name in CI_CALLERS}


@pytest.mark.timeout(int(os.environ.get("ZC_FUZZ_TIMEOUT", "900")))
@pytest.mark.parametrize("service", SERVICES)
def test_finding_27_no_server_error_or_schema_violation_for_any_caller(
    stack: Stack, callers: dict[str, str | None], service: str
) -> None:
    """Finding 27: integers without bounds and a NUL character reached PostgreSQL and answered 500; a
    fuzzing run over every operation, as every caller, finds no 5xx and no answer outside the document."""
    examples = int(os.environ.get("ZC_FUZZ_EXAMPLES", "2"))
    report: Report = fuzz_service(service, stack.url(service), callers, examples=examples, skip=SKIP)
    assert report.operations > 0
    failures = report.distinct()
    assert not failures, (
        f"{service}: {len(failures)} distinct failures in {report.requests} requests over "
        f"{report.operations} operations:\n" + "\n".join(failures[:60])
    )
