"""What this service listens to: application-service's PaperCheckRequested, and ApplicationSubmitted for
the org each application belongs to."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .service_layer.checks import on_application_submitted, on_paper_check_requested

CHECKS_CONSUMER = "plagiarism-service.checks"


def consumer_specs() -> list[ConsumerSpec]:
    """Handlers are called as ``handler(ctx, conn, event)`` with the PlagiarismContext."""
    return [
        ConsumerSpec(
            CHECKS_CONSUMER,
            [
                Subscription(
                    "application-service",
                    {
                        "ApplicationSubmitted": on_application_submitted,
                        "PaperCheckRequested": on_paper_check_requested,
                    },
                )
            ],
        )
    ]
