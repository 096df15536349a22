"""What application-service listens to: organizations and applicants (org-service), paper checks
(plagiarism-service) and the committee's steps (review-service)."""

from __future__ import annotations

from zhicheng_kernel.consumer import Subscription
from zhicheng_kernel.service import ConsumerSpec

from .projections import orgs
from .service_layer import integrity, reactions, recommendations

CONSUMER = "application-service.projections"
# The integrity file's own consumer (NAT-8's revocations, POL-ER-3's confirmed misconduct).
INTEGRITY_CONSUMER = "application-service.integrity"


def consumers() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            CONSUMER,
            [
                Subscription(
                    "org-service",
                    {
                        "OrganizationCreated": orgs.on_organization_created,
                        "ApplicantRegistered": orgs.on_applicant_registered,
                        "ApplicantStaffStatusChanged": reactions.record_staff_status_changed,
                    },
                    orgs.org_service_upcasters(),
                ),
                Subscription(
                    "plagiarism-service",
                    {
                        "PaperCheckCompleted": reactions.record_paper_check,
                        "PaperCheckRejected": reactions.record_paper_check_rejected,
                    },
                ),
                Subscription(
                    "review-service",
                    {
                        "QualificationDocumentIssued": reactions.record_document_issued,
                        "VotesTallied": reactions.record_votes_tallied,
                        "ComplaintResolved": reactions.record_complaint_resolved,
                        "CommitteeSessionOpened": reactions.record_session_opened,
                        "ResultsPublished": reactions.record_results_published,
                        "BlindReviewConcluded": recommendations.record_blind_review_concluded,
                        "RecommendationMisconductConfirmed": recommendations.record_misconduct_confirmed,
                    },
                ),
            ],
        ),
        ConsumerSpec(
            INTEGRITY_CONSUMER,
            [
                Subscription(
                    "review-service",
                    {
                        "QualificationDocumentRevoked": integrity.on_document_revoked,
                        "RecommendationMisconductConfirmed": integrity.on_misconduct_confirmed,
                    },
                )
            ],
        ),
    ]
