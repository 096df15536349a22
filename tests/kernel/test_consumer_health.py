"""Health that reports a stuck relay or consumer as unhealthy (issue 12): the rules as pure logic, and
`/health` of a real service answering 503 for a parked source (finding 4: "`/health` says ok")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zhicheng_kernel import deadletters
from zhicheng_kernel.health import STUCK_AFTER, ConsumerStatus, RelayStatus, SourceStatus, problems
from zhicheng_kernel.testing import envelope

from tests.application.conftest import running_service
from tests.harness import Servers

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
LONG_AGO = NOW - STUCK_AFTER - timedelta(seconds=1)
JUST_NOW = NOW - timedelta(seconds=5)


def test_a_healthy_relay_and_consumer_have_no_problem() -> None:
    relay = RelayStatus(leader=True, published_position=10, head_position=10)
    consumer = ConsumerStatus("c", {"org-service": SourceStatus(watermark=5, feed_head=5)})
    assert problems(relay, [consumer], now=NOW, head=10) == []


def test_a_parked_relay_position_is_a_problem_at_once() -> None:
    relay = RelayStatus(published_position=10, head_position=10, parked_positions=[7])
    assert problems(relay, [], now=NOW) == ["relay: positions [7] parked (open dead letters)"]


def test_a_relay_failing_while_behind_is_stuck_only_after_the_bound() -> None:
    failing = RelayStatus(published_position=3, head_position=3, last_error="KafkaConnectionError")
    failing.failing_since = JUST_NOW
    assert problems(failing, [], now=NOW, head=9) == []  # a blip
    failing.failing_since = LONG_AGO
    (problem,) = problems(failing, [], now=NOW, head=9)
    assert problem.startswith("relay: not publishing since") and "KafkaConnectionError" in problem
    assert problems(failing, [], now=NOW, head=3) == []  # failing with nothing to publish: not stuck


def test_finding_4_a_parked_consumer_source_is_a_problem() -> None:
    """Finding 4: "... catch-up fails at the same watermark every 2 s; `/health` says ok." A parked
    source makes the service unhealthy at once, naming the consumer, the source and the position."""
    consumer = ConsumerStatus("c", {"org-service": SourceStatus(watermark=4, parked_at_position=5)}, dead_letters=1)
    assert problems(RelayStatus(), [consumer], now=NOW) == ["consumer c: org-service parked at position 5"]


def test_a_source_failing_while_behind_is_stuck_only_after_the_bound_and_a_peer_down_is_not() -> None:
    behind = SourceStatus(watermark=4, feed_head=9, last_error="ConnectError", failing_since=JUST_NOW)
    consumer = ConsumerStatus("c", {"org-service": behind})
    assert problems(RelayStatus(), [consumer], now=NOW) == []
    behind.failing_since = LONG_AGO
    assert problems(RelayStatus(), [consumer], now=NOW) != []
    # The source's feed unreachable while nothing is known to be missing (a peer not started): healthy.
    idle = SourceStatus(watermark=0, feed_head=0, last_error="ConnectError", failing_since=LONG_AGO)
    assert problems(RelayStatus(), [ConsumerStatus("c", {"org-service": idle})], now=NOW) == []


async def test_finding_4_health_answers_503_for_a_parked_source_until_an_operator_resolves_it(
    servers: Servers,
) -> None:
    """Finding 4 through a real service (application-service in-process on the real PostgreSQL): an
    org-service event its handler cannot apply becomes a dead letter after bounded retries, `/health`
    answers 503 naming the parked source, and answers 200 again once an operator skipped it."""
    async with running_service(servers, dev_seed=False) as svc:
        assert (await svc.client.get("/health")).status_code == 200
        consumer = next(c for c in svc.runtime.consumers.values() if "org-service" in c.subscriptions)
        consumer.max_attempts, consumer.retry_backoff = 2, 0.01
        poison = envelope("org-service", "OrganizationCreated", {"org_id": "没有类型的机构"}, position=1)
        assert await consumer._apply_or_park(poison) is None  # KeyError 'kind', twice: a dead letter
        answer = await svc.client.get("/health")
        assert answer.status_code == 503
        body = answer.json()
        assert body["status"] == "unhealthy"
        assert f"consumer {consumer.name}: org-service parked at position 1" in body["problems"]
        status = body["consumer_status"][consumer.name]
        assert status["sources"]["org-service"]["parked_at_position"] == 1
        assert status["dead_letters"] == 1
        assert body["consumers"][consumer.name]["org-service"] == 0  # the watermark stopped before it
        assert "published" in body

        db = svc.runtime.context.db
        await deadletters.skip(db, consumer.name, "org-service", 1, by="运维员", reason="测试：无类型的机构")
        await consumer._catch_up_logged("org-service")  # the next catch-up (org-service itself is not there)
        assert isinstance(consumer.status.sources["org-service"].last_error, str)
        assert await consumer.apply(poison)  # skipped: recorded without its handler
        answer = await svc.client.get("/health")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["consumers"][consumer.name]["org-service"] == 1
