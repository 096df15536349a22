"""The events review-service publishes (docs/EVENTS.md), past tense, with their stream types."""

from __future__ import annotations

COMMITTEE = "committee"
SESSION = "session"
DOCUMENT = "document"

COMMITTEE_FORMED = "CommitteeFormed"
SESSION_OPENED = "CommitteeSessionOpened"
ATTENDANCE_RECORDED = "AttendanceRecorded"
BALLOT_CAST = "BallotCast"
VOTES_TALLIED = "VotesTallied"
RESULTS_PUBLISHED = "ResultsPublished"
COMPLAINT_FILED = "ComplaintFiled"
COMPLAINT_RESOLVED = "ComplaintResolved"
DOCUMENT_ISSUED = "QualificationDocumentIssued"
SESSION_CLOSED = "SessionClosed"

# The envelope's actor of a BallotCast: never the expert (NAT-2, secret ballot).
BALLOT_BOX_ACTOR = "ballot-box"
