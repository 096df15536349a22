"""Review fixtures on the real stack: a scenario (a hospital, its applicants, three experts) with the
workflows worker running, and the committee those experts form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_client import Api
from tests.harness import Stack, starting
from tests.review.scenario import Scenario


@pytest.fixture(scope="module")
def scenario(stack: Stack) -> Iterator[Scenario]:
    with starting(stack, "workflows"):  # its start-up overlaps the scenario's
        built = Scenario.build(Api(stack))
        built.register_experts(3)
    try:
        yield built
    finally:
        stack.stop("workflows")


@pytest.fixture(scope="module")
def committee(scenario: Scenario) -> dict[str, Any]:
    return scenario.form_committee([e.account_id for e in scenario.experts])
