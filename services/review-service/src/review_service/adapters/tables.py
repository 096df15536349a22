"""review-service's own tables beside the kernel's: read models and two private ledgers."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from zhicheng_kernel.access_audit import external_access_table
from zhicheng_kernel.audit import audit_log_table
from zhicheng_kernel.holiday_years import holiday_years_table
from zhicheng_kernel.workflow_starts import workflow_starts_table

metadata = MetaData()

# -- projections of other services' events ---------------------------------------------------------

# application-service's HolidayCalendarPublished (zhicheng_kernel.holiday_years): NAT-3 counts with it.
holiday_years = holiday_years_table(metadata)

organizations = Table(
    "organization",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("path", Text, nullable=False),
)

experts = Table(
    "expert",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("username", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("org_id", Text, nullable=False),
    Column("series", JSONB, nullable=False),
    Column("title_level", Text, nullable=False),
)

candidates = Table(
    "candidate",
    metadata,
    Column("application_id", Text, primary_key=True),
    Column("push_id", Text, nullable=False),
    Column("status", Text, nullable=False),  # pushed → in_session
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("specialty", Text, nullable=True),
    Column("level", Text, nullable=False),
    Column("applicant_id", Text, nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("org_id", Text, nullable=False),
    Column("org_path", Text, nullable=False),
    Column("county_code", Text, nullable=True),
    Column("annotations", JSONB, nullable=False),  # printed on the document
    Column("remarks", JSONB, nullable=False, server_default=text("'[]'::jsonb")),  # shown, never printed
    Column("session_id", Text, nullable=True),
    # 0006: the province's verdict on the latest push, "approved" | "returned"; None while it waits (POL-FI-1).
    Column("filing", Text, nullable=True),
    # 0010: the rule that replaced the candidate's video defense (POL-FL-3), None when they defend (POL-VD-1).
    Column("defense_replaced_by", Text, nullable=True),
)

# -- projections of our own events (written in the transaction of the append) ----------------------

# The title offices' expert pools (专家库), from ExpertAppointed (issue 11; migration 0009). Series and
# title level are org-service's; the specialty, the employer and the term are the appointing office's.
# One row per term: an expert reappointed for a later term has a row for each (terms never overlap).
expert_pool = Table(
    "expert_pool",
    metadata,
    Column("account_id", Text, nullable=False),
    Column("organizing_org_id", Text, nullable=False),
    Column("series", JSONB, nullable=False),
    Column("specialty", Text, nullable=False),
    Column("title_level", Text, nullable=False),
    Column("employer_org_id", Text, nullable=False),
    Column("term_starts_on", Date, nullable=False),
    Column("term_ends_on", Date, nullable=False),
    PrimaryKeyConstraint("account_id", "term_starts_on"),
    Index("expert_pool_term_ends_on", "term_ends_on"),  # the office's list: who expires when (NAT-6)
)

committees = Table(
    "committee",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("series", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("organizing_org_id", Text, nullable=False),
    Column("expert_ids", JSONB, nullable=False),
)

sessions = Table(
    "session",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("committee_id", Text, nullable=False),
    Column("workflow_id", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
)

complaints = Table(
    "complaint",
    metadata,
    Column("complaint_id", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("application_id", Text, nullable=False),
    Column("outcome", Text, nullable=True),
)

documents = Table(
    "qualification_document",
    metadata,
    Column("document_id", Text, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("session_id", Text, nullable=True),  # None: a route without a committee
    Column("application_id", Text, nullable=False, unique=True),
    Column("applicant_id", Text, nullable=True),  # who may read it: the applicant and the employer chain
    Column("org_path", Text, nullable=True),
    Column("applicant_name", Text, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    # 0012: NAT-8's revocation for fraud (QualificationDocumentRevoked), written with the event.
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revocation_reason", Text, nullable=True),
)

# -- private ledgers, never published -------------------------------------------------------------

# Who has voted in a session, without when or which ballot: it stops a second ballot (NAT-2)
# while the ballots themselves (BallotCast) carry no expert id.
session_voters = Table(
    "session_voter",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("expert_id", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "expert_id"),
)

# Every call of an external client (zhicheng_kernel.access_audit).
external_access = external_access_table(metadata)

# The start outbox of this service's workflows (zhicheng_kernel.workflow_starts): every committee
# session's and every review year's.
workflow_starts = workflow_starts_table(metadata)

# -- NAT-10: signed certificates (issue 11; migration 0014) ------------------------------------------

# Each document's certificate PDF as first rendered and signed (on the first request or by the background
# renderer): the same bytes every time after, whose signature stays verifiable against the certificate
# it names.
certificate_pdfs = Table(
    "certificate_pdf",
    metadata,
    Column("document_id", Text, primary_key=True),
    Column("pdf", LargeBinary, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("signer_sha256", Text, nullable=False),  # the signing certificate's fingerprint
    Column("rendered_at", DateTime(timezone=True), nullable=False),
)

# -- issue 11: the public publicity's complaints and the review (复查) (migration 0013) ---------------

# A complaint filed on the public publicity page without an account (POL-PB-1, channel "public"): the
# complainant's name and contact details, never in an event; only the organising unit reads them.
public_complaints = Table(
    "public_complaint",
    metadata,
    Column("complaint_id", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("application_id", Text, nullable=False),
    Column("complainant_name", Text, nullable=False),
    Column("contact_phone", Text, nullable=True),
    Column("contact_email", Text, nullable=True),
    Column("filed_at", DateTime(timezone=True), nullable=False),
    Index("public_complaint_session", "session_id"),
)

# Its attachments (PDF, JPEG or PNG, by their magic bytes; at most 3 of at most 2 MB each), numbered 1…3.
public_complaint_attachments = Table(
    "public_complaint_attachment",
    metadata,
    Column("complaint_id", Text, nullable=False),
    Column("n", Integer, nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    PrimaryKeyConstraint("complaint_id", "n"),
)

# Hits per bucket ("ip:<address>", "session:<id>") and fixed window: one row each, counted with an
# upsert under its row lock, so several replicas share the limits (adapters.rate_limit).
rate_limit_windows = Table(
    "rate_limit_window",
    metadata,
    Column("bucket", Text, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "window_start"),
)

# The review requests (复查, NAT-11) as the applicant and the organising unit list them, written in the
# transaction of ReviewRequested / ReviewAnswered.
review_requests = Table(
    "review_request",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("application_id", Text, nullable=False, unique=True),
    Column("session_id", Text, nullable=False),
    Column("applicant_id", Text, nullable=False),
    Column("organizing_org_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("outcome", Text, nullable=True),  # None while it waits; "upheld" | "changed"
    Column("answer", Text, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("document_number", Text, nullable=True),
    Index("review_request_office", "organizing_org_id"),
)

# -- issue 11: blind reviews of expert recommendations (POL-ER-1; migration 0011) --------------------------

# One row per blind review, written in the transaction of each append: the city office's list and
# the reviewers' assignments read it. The applicant's id and employer stay in the stream.
blind_reviews = Table(
    "blind_review",
    metadata,
    Column("review_id", Text, primary_key=True),
    Column("application_id", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("specialty", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("recommendation_text", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("total", Integer, nullable=False),
    Column("opinions", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Private ledger: which drawn reviewer has answered, never which opinion is theirs (the opinions carry
# no reviewer id). It stops a second opinion and lists a reviewer's own assignments.
blind_review_reviewers = Table(
    "blind_review_reviewer",
    metadata,
    Column("review_id", Text, nullable=False),
    Column("expert_id", Text, nullable=False),
    Column("answered", Boolean, nullable=False, server_default=text("false")),
    PrimaryKeyConstraint("review_id", "expert_id"),
)

# -- issue 11, the pool and the draw (migration 0009) ---------------------------------------------------

# Who sits (or stands in reserve) in which non-closed session, and when it meets: NAT-4 draws no expert
# already sitting elsewhere at the same time. Private: an expert lists only their own rows (GET /sessions,
# their worklist), nobody lists another's; a closed session's rows go.
session_sittings = Table(
    "session_sitting",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("expert_id", Text, nullable=False),
    Column("meeting_starts_at", DateTime(timezone=True), nullable=False),
    Column("meeting_ends_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "expert_id"),
    Index("session_sitting_expert", "expert_id"),
)

# -- issue 11: review panels (评议组, NAT-9) and video defenses (POL-VD-1); migration 0010 ------------------

# A session's panels, from PanelFormed (written in the transaction of the append). Only the
# organising office reads the expert list.
review_panels = Table(
    "review_panel",
    metadata,
    Column("panel_id", Text, primary_key=True),
    Column("session_id", Text, nullable=False, index=True),
    Column("organizing_org_id", Text, nullable=False),
    Column("specialty", Text, nullable=False),
    Column("expert_ids", JSONB, nullable=False),
)

# One row per candidate of a panel: a candidate is in one panel of a session. The slot (DefenseScheduled),
# the record (DefenseRecorded) and the opinion (PanelOpinionRecorded) fill it in.
panel_candidates = Table(
    "panel_candidate",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("application_id", Text, nullable=False),
    Column("panel_id", Text, nullable=False, index=True),
    Column("applicant_id", Text, nullable=False),
    Column("defense_required", Boolean, nullable=False),
    Column("defense_replaced_by", Text, nullable=True),
    Column("judge_ids", JSONB, nullable=False),  # the panel's experts who score this candidate (NAT-4)
    Column("starts_at", DateTime(timezone=True), nullable=True),
    Column("ends_at", DateTime(timezone=True), nullable=True),
    Column("provider", Text, nullable=True),
    Column("room_id", Text, nullable=True),
    Column("join_url", Text, nullable=True),
    Column("defense_recorded", Boolean, nullable=False, server_default=text("false")),
    Column("attended", Boolean, nullable=True),
    Column("opinion", Text, nullable=True),
    Column("summary", Text, nullable=True),
    PrimaryKeyConstraint("session_id", "application_id"),
)

# The business audit of every command (zhicheng_kernel.audit, finding 16).
audit_log = audit_log_table(metadata)

# NAT-2's private ballot box (issue 12, finding 5; adapters.ballot_box): a session's sealed ballots
# while its vote is open — one row per session, no time, no order (rewritten at each cast with every
# box re-sealed and shuffled), deleted when the boxes go into one BallotsCollected event.
ballot_boxes = Table(
    "ballot_box",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("boxes", JSONB, nullable=False),
)
