"""What review-service listens to: organizations and experts (org-service), pushed candidates, the
applications concluded without a committee (it issues their documents) and the official holiday
calendar (application-service)."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .projections import calendar, peers
from .service_layer import blind_reviews, documents

CONSUMER = "review-service.peers"


def consumers() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            CONSUMER,
            [
                Subscription(
                    "org-service",
                    {
                        "OrganizationCreated": peers.on_organization_created,
                        "ExpertRegistered": peers.on_expert_registered,
                    },
                ),
                Subscription(
                    "application-service",
                    {
                        "ApplicationPushed": peers.on_application_pushed,
                        "ProvincialVerdictRecorded": peers.on_provincial_verdict_recorded,
                        "ApplicationConcludedWithoutCommittee": documents.issue_without_committee,
                        "HolidayCalendarPublished": calendar.on_holiday_calendar_published,
                        "ExpertRecommendationConsented": blind_reviews.on_recommendation_consented,
                    },
                ),
            ],
        )
    ]
