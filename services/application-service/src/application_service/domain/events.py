"""Facts of this service, in past tense (docs/EVENTS.md is the contract; schema version 1)."""

from __future__ import annotations

from typing import Any

from zhicheng_kernel.envelope import NewEvent

APPLICATION = "application"  # stream type
PUSH = "push"

APPLICATION_SUBMITTED = "ApplicationSubmitted"
PAPER_CHECK_REQUESTED = "PaperCheckRequested"
PAPER_CHECK_RECORDED = "PaperCheckRecorded"
UNIT_APPROVED = "UnitApproved"
DEPARTMENT_APPROVED = "DepartmentApproved"
TITLE_OFFICE_APPROVED = "TitleOfficeApproved"
APPLICATION_RETURNED = "ApplicationReturned"
PUSH_BATCH_CREATED = "PushBatchCreated"
APPLICATION_PUSHED = "ApplicationPushed"
APPLICATION_DECIDED = "ApplicationDecided"
APPLICATION_DRAFTED = "ApplicationDrafted"
APPLICATION_EDITED = "ApplicationEdited"
APPLICATION_RESUBMITTED = "ApplicationResubmitted"
APPLICATION_WITHDRAWN = "ApplicationWithdrawn"
ELIGIBILITY_ASSESSED = "EligibilityAssessed"
PUBLICITY_STARTED = "PublicityStarted"
ATTACHMENT_ADDED = "AttachmentAdded"
EXTERNAL_REPORT_UPLOADED = "ExternalReportUploaded"
COMMITTEE_REVIEW_STARTED = "CommitteeReviewStarted"
RESULTS_PUBLICITY_STARTED = "ResultsPublicityStarted"
# Registries the city office maintains (stream type `registry`, one stream per registry).
REGISTRY = "registry"
REGISTRY_ENTRIES_IMPORTED = "RegistryEntriesImported"
REGISTRY_ENTRY_RECORDED = "RegistryEntryRecorded"
REGISTRY_ENTRY_REMOVED = "RegistryEntryRemoved"
SCHEDULE_PUBLISHED = "SchedulePublished"

# The approval event of each step of the chain (NAT-7).
APPROVED_EVENT_OF_STEP: dict[str, str] = {
    "unit": UNIT_APPROVED,
    "department": DEPARTMENT_APPROVED,
    "title_office": TITLE_OFFICE_APPROVED,
}


def event(event_type: str, **payload: Any) -> NewEvent:
    return NewEvent(event_type, payload)
