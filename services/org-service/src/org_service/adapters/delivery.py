"""The delivery port: how a notification leaves the system by SMS or e-mail.

A provider implements `NotificationDelivery`; settings choose it (`ZC_NOTIFICATION_PROVIDER`). The only
provider here is `RecordingDelivery`: it sends nothing, and the `notification_delivery` row the sender
completes (channel, address, text, sent_at, provider "recording") is the record of what it would have
sent. "disabled" records no deliveries at all (the inbox alone). A real SMS or e-mail gateway plugs in
as another class with the same `send`; it receives the delivery id, stable per inbox item and channel,
to pass on as its own idempotency key.

org-service knows no phone number or e-mail address of an account or organization (the account model
has none), so every address is null today; a real provider needs those contact fields first.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

log = logging.getLogger(__name__)

Channel = Literal["sms", "email"]
CHANNELS: tuple[Channel, ...] = ("sms", "email")


@dataclass(frozen=True)
class OutgoingMessage:
    delivery_id: uuid.UUID
    channel: str
    address: str | None
    text: str


class NotificationDelivery(Protocol):
    """Sends one message; raises when the provider refused it (the sender then records it failed)."""

    name: str

    async def send(self, message: OutgoingMessage) -> None: ...


class RecordingDelivery:
    """The local provider: nothing leaves the system; the delivery row records what would have been sent."""

    name = "recording"

    async def send(self, message: OutgoingMessage) -> None:
        log.info("notification %s (%s to %s) recorded, not sent", message.delivery_id, message.channel, message.address)


def provider_named(name: str, environment: str) -> NotificationDelivery | None:
    """The configured provider (None: "disabled"). In production the recording provider starts, and says
    loudly that no SMS or e-mail leaves the system: the inbox works, deliveries are only recorded."""
    if name == "disabled":
        return None
    if environment == "production":
        log.warning(
            "ZC_NOTIFICATION_PROVIDER=recording in production: no SMS or e-mail is sent, deliveries are only "
            "recorded in notification_delivery. Configure a real provider, or set it to 'disabled'."
        )
    return RecordingDelivery()
