"""The inbox projection and the delivery sender on a database of their own (the service's real
migrations and consumer, no HTTP): once per event and recipient, deliveries at most once per item and
channel, nothing delivered for an old event, a provider's refusal recorded and not retried, and what
production says about the recording provider."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import org_service
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from org_service.adapters.delivery import OutgoingMessage, RecordingDelivery, provider_named
from org_service.adapters.tables import inbox, notification_deliveries
from org_service.consumers import CONSUMER, consumers
from org_service.context import OrgContext
from org_service.security.tokens import TokenIssuer
from org_service.service_layer.inbox import send_pending
from org_service.settings import OrgSettings
from pydantic import ValidationError
from sqlalchemy import select, update
from zhicheng_kernel.auth import ServiceCredentials
from zhicheng_kernel.calendar import ChinaCalendar
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.consumer import EventConsumer
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.migrations import upgrade
from zhicheng_kernel.testing import TokenSigner, envelope

from tests.harness import Servers
from tests.inbox import events as ev

MIGRATIONS = Path(org_service.__file__ or "").parent / "migrations"
OFFICE, HOSPITAL = str(uuid.uuid4()), str(uuid.uuid4())


class Counting:
    """A provider that counts what it is asked to send, and refuses when told to."""

    name = "counting"

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[OutgoingMessage] = []
        self.refuse = refuse

    async def send(self, message: OutgoingMessage) -> None:
        if self.refuse:
            raise RuntimeError("网关拒绝：号码为空")
        self.sent.append(message)


@pytest.fixture
async def ctx(servers: Servers, tmp_path: Path) -> AsyncIterator[OrgContext]:
    name = f"zc_inbox_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    url = servers.postgres.url(name)
    await upgrade(url, MIGRATIONS)
    key = tmp_path / "jwt.pem"
    key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    settings = OrgSettings(database_url=url, jwt_private_key_file=key, notification_channels="sms,email")
    db = Database(url, pool_size=2)
    yield OrgContext(
        name="org-service",
        settings=settings,
        db=db,
        store=EventStore("org-service"),
        clock=FixedClock(datetime.now(UTC)),
        calendar=ChinaCalendar(),
        credentials=ServiceCredentials("http://127.0.0.1:9/unused", "org-service", "unused"),  # no feed is read
        verifier=TokenSigner().verifier(),
        issuer=TokenIssuer(key, 30),
        delivery=RecordingDelivery(),
    )
    await db.dispose()


def consumer(ctx: OrgContext) -> EventConsumer:
    (spec,) = consumers()
    assert spec.name == CONSUMER
    return EventConsumer(spec.name, ctx.db, spec.subscriptions, bootstrap="unused:0", feeds={}, context=ctx)


async def rows(ctx: OrgContext, query: Any) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return [dict(r._mapping) for r in await conn.execute(query)]


def verdict_event(**over: Any) -> EventEnvelope:
    return envelope(
        "application-service",
        "ProvincialVerdictRecorded",
        ev.verdict(str(uuid.uuid4()), str(uuid.uuid4()), HOSPITAL),
        **over,
    )


async def test_one_item_per_recipient_and_one_delivery_per_channel_sent_once(ctx: OrgContext) -> None:
    event = verdict_event()
    assert await consumer(ctx).apply(event)
    # Even past the consumer's tracking (a rebuild), the projection stores each item once.
    async with ctx.db.transaction() as conn:
        handler = consumers()[0].subscriptions[0].handlers["ProvincialVerdictRecorded"]
        await handler(ctx, conn, event)
    items = await rows(ctx, select(inbox).where(inbox.c.source_event_id == event.event_id))
    assert {(i["recipient_kind"], i["recipient_id"]) for i in items} == {
        ("account", event.payload["applicant_id"]),
        ("org", HOSPITAL),
    }
    pending = await rows(ctx, select(notification_deliveries))
    assert sorted(r["channel"] for r in pending) == ["email", "email", "sms", "sms"]
    assert {r["state"] for r in pending} == {"pending"}

    provider = Counting()
    assert await send_pending(ctx.db, provider, ctx.clock) == 4
    assert await send_pending(ctx.db, provider, ctx.clock) == 0
    assert len(provider.sent) == 4 and len({m.delivery_id for m in provider.sent}) == 4
    done = await rows(ctx, select(notification_deliveries))
    assert {(r["state"], r["provider"]) for r in done} == {("sent", "counting")}
    assert all(r["sent_at"] == ctx.clock.now() and r["address"] is None for r in done)


async def test_a_refused_delivery_is_recorded_failed_and_never_retried(ctx: OrgContext) -> None:
    assert await consumer(ctx).apply(verdict_event())
    refusing = Counting(refuse=True)
    assert await send_pending(ctx.db, refusing, ctx.clock) == 4
    failed = await rows(ctx, select(notification_deliveries))
    assert {r["state"] for r in failed} == {"failed"} and all("网关拒绝" in r["error"] for r in failed)
    assert await send_pending(ctx.db, Counting(), ctx.clock) == 0


async def test_a_delivery_claimed_before_a_crash_is_never_sent_twice(ctx: OrgContext) -> None:
    assert await consumer(ctx).apply(verdict_event())
    async with ctx.db.transaction() as conn:  # claimed, then the process died before the provider answered
        await conn.execute(update(notification_deliveries).values(state="sending", claimed_at=ctx.clock.now()))
    provider = Counting()
    assert await send_pending(ctx.db, provider, ctx.clock) == 0
    assert provider.sent == []


async def test_an_old_event_makes_an_inbox_item_but_no_delivery(ctx: OrgContext) -> None:
    old = verdict_event().model_copy(update={"occurred_at": ctx.clock.now() - timedelta(hours=49)})
    assert await consumer(ctx).apply(old)
    assert len(await rows(ctx, select(inbox).where(inbox.c.source_event_id == old.event_id))) == 2
    assert await rows(ctx, select(notification_deliveries)) == []


async def test_with_deliveries_disabled_the_inbox_alone_is_kept(ctx: OrgContext) -> None:
    ctx.delivery = None
    event = verdict_event()
    assert await consumer(ctx).apply(event)
    assert len(await rows(ctx, select(inbox).where(inbox.c.source_event_id == event.event_id))) == 2
    assert await rows(ctx, select(notification_deliveries)) == []


async def test_a_complaint_reaches_the_organising_office_whichever_of_committee_and_session_came_first(
    ctx: OrgContext,
) -> None:
    committee_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    formed = {"committee_id": committee_id, "name": "卫生系列高评会", "series": "卫生系列", "level": "senior"}
    opened = {"session_id": session_id, "committee_id": committee_id, "year": 2026, "series": "卫生系列"}
    complaint = {"session_id": session_id, "complaint_id": "c1", "application_id": str(uuid.uuid4())}
    review = consumer(ctx)
    # The session's stream and the committee's are different partitions: the session may come first.
    assert await review.apply(envelope("review-service", "CommitteeSessionOpened", {**opened, "level": "senior"}))
    assert await review.apply(envelope("review-service", "CommitteeFormed", {**formed, "organizing_org_id": OFFICE}))
    filed = envelope("review-service", "ComplaintFiled", {**complaint, "investigation_ends_at": None})
    assert await review.apply(filed)
    (item,) = await rows(ctx, select(inbox).where(inbox.c.source_event_id == filed.event_id))
    assert (item["recipient_kind"], item["recipient_id"], item["category"]) == ("org", OFFICE, "complaint")
    assert "2026年度卫生系列正高级" in item["body_zh"]


def test_production_with_the_recording_provider_starts_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="org_service.adapters.delivery"):
        provider = provider_named("recording", "production")
    assert isinstance(provider, RecordingDelivery)
    assert "no SMS or e-mail is sent" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="org_service.adapters.delivery"):
        assert isinstance(provider_named("recording", "development"), RecordingDelivery)
        assert provider_named("disabled", "production") is None
    assert caplog.text == ""


def test_settings_know_the_channels(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    assert OrgSettings(jwt_private_key_file=key, notification_channels=" sms , email,sms").channels() == [
        "sms",
        "email",
    ]
    with pytest.raises(ValidationError, match="unknown channel"):
        OrgSettings(jwt_private_key_file=key, notification_channels="sms,pigeon")
    with pytest.raises(ValidationError):
        OrgSettings(jwt_private_key_file=key, notification_provider="smtp")
