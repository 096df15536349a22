"""The fixed port layout of the local stack, the test sessions and the bench, and its overrides."""

from __future__ import annotations

import pytest
from zhicheng_devstack.ports import Ports


def test_ports_layout_and_overrides() -> None:
    dev = Ports.from_env({})
    assert (dev.pg, dev.kafka, dev.temporal, dev.temporal_ui) == (24432, 24092, 24233, 24234)
    assert (dev.temporal_http, dev.temporal_metrics) == (24235, 24236)
    assert (dev.org, dev.application, dev.review, dev.plagiarism) == (24101, 24102, 24103, 24104)
    test = Ports.for_tests({"ZC_PG_PORT": "1"})  # the development variables do not move test ports
    assert test.as_dict() == {name: port + 1000 for name, port in dev.as_dict().items()}
    assert Ports.from_env({"ZC_KAFKA_PORT": "29092"}).kafka == 29092
    assert Ports.for_tests({"ZC_TEST_PG_PORT": "29432"}).pg == 29432
    with pytest.raises(ValueError, match="ZC_ORG_PORT"):
        Ports.from_env({"ZC_ORG_PORT": "http"})
