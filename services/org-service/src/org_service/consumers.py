"""What org-service listens to: application-service's and review-service's events that someone should
hear about (the inbox, projections/inbox.py). Unknown event types are skipped by the consumer."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .projections import inbox

CONSUMER = "org-service.inbox"


def consumers() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            CONSUMER,
            [
                Subscription("application-service", inbox.handlers("application-service")),
                Subscription("review-service", inbox.handlers("review-service")),
            ],
        )
    ]
