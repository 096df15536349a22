"""What this service listens to: application-service's PaperCheckRequested, and ApplicationSubmitted for
the org each application belongs to."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .service_layer.checks import on_application_submitted, on_paper_check_requested

CONSUMER = "plagiarism-service.checks"


def consumers() -> list[ConsumerSpec]:
    """Handlers are called as ``handler(ctx, conn, event)`` with the PlagiarismContext."""
    return [
        ConsumerSpec(
            CONSUMER,
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
