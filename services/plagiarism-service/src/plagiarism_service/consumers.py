"""What this service listens to: application-service's PaperCheckRequested, and ApplicationSubmitted for
the org each application belongs to."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .service_layer.checks import on_application_submitted, on_paper_check_requested
from .service_layer.organizations import on_organization_created, on_organization_deactivated

CONSUMER = "plagiarism-service.checks"
ORGS_CONSUMER = "plagiarism-service.organizations"


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
        ),
        # Issue 12: the kind and level of every org, so that only the city title office keeps the corpus.
        ConsumerSpec(
            ORGS_CONSUMER,
            [
                Subscription(
                    "org-service",
                    {
                        "OrganizationCreated": on_organization_created,
                        "OrganizationDeactivated": on_organization_deactivated,
                    },
                )
            ],
        ),
    ]
