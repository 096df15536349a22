"""What this service listens to: application-service's PaperCheckRequested, and ApplicationSubmitted for
the org each application belongs to."""

from __future__ import annotations

from functools import partial

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .context import Context
from .service_layer.checks import on_application_submitted, on_paper_check_requested

CHECKS_CONSUMER = "plagiarism-service.checks"


def consumer_specs(ctx: Context) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            CHECKS_CONSUMER,
            [
                Subscription(
                    "application-service",
                    {
                        "ApplicationSubmitted": partial(on_application_submitted, ctx),
                        "PaperCheckRequested": partial(on_paper_check_requested, ctx),
                    },
                )
            ],
        )
    ]
