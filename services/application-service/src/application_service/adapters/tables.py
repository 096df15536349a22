"""This service's read models (the write side is the kernel's event store)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
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

# Projection of org-service's OrganizationCreated: what the review chain is computed from (NAT-7).
orgs = Table(
    "orgs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("division_code", Text, nullable=False, server_default=""),
    Column("parent_id", Text, nullable=True),
    Column("path", Text, nullable=False),
    # 0007: a state_unit's type ("enterprise": a state-owned enterprise, C1).
    Column("unit_type", Text, nullable=True),
)

# Projection of org-service's ApplicantRegistered.
applicants = Table(
    "applicants",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("org_id", Text, nullable=False),
    Column("org_path", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("on_staff", Boolean, nullable=False),
    # 0004: the person the rules match (rosters, blacklist); not in the token, whose username it is not.
    Column("id_card_number", Text, nullable=True),
)

# Projection of this service's own application streams, written in the append's transaction.
applications = Table(
    "applications",
    metadata,
    Column("id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("applicant_id", Text, nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("org_id", Text, nullable=False),
    Column("org_path", Text, nullable=False),
    Column("county_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("specialty", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("track", Text, nullable=False),
    Column("chain", JSONB, nullable=False),
    Column("current_step", Text, nullable=True),
    Column("papers", JSONB, nullable=False),
    Column("checks", JSONB, nullable=False),
    Column("history", JSONB, nullable=False),
    Column("push_id", Text, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("document_number", Text, nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # 0002: the eligibility report (EligibilityAssessed), attachments and the unit's publicity (NAT-5).
    Column("eligible", Boolean, nullable=True),
    Column("failed_rules", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("eligibility", JSONB, nullable=True),
    Column("attachments", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("publicity_starts_on", Date, nullable=True),
    # 0009: the province's verdict on the latest push (POL-FI-1).
    Column("filing", JSONB, nullable=True),
    Index("ix_applications_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
    Index("ix_applications_applicant", "applicant_id"),
)

pushes = Table(
    "pushes",
    metadata,
    Column("id", Text, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("office_org_id", Text, nullable=False),
    Column("application_ids", JSONB, nullable=False),
    Column("pushed_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# 0009: each push batch's provincial filing (POL-FI-1): its delivery, each application's verdict and the
# escalations to the city office, written with the push stream's events.
filings = Table(
    "filings",
    metadata,
    Column("push_id", Text, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("office_org_id", Text, nullable=False),
    Column("office_path", Text, nullable=False),
    Column("application_ids", JSONB, nullable=False),
    Column("status", Text, nullable=False),  # delivering | waiting_for_province | done
    Column("received_at", DateTime(timezone=True), nullable=True),
    Column("duplicate", Boolean, nullable=False, server_default=text("false")),
    Column("verdicts", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("escalations", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_filings_year_series", "year", "series"),
)

# 0009: the province's webhooks already applied, by webhook-id (a replayed delivery changes nothing).
provincial_webhooks = Table(
    "provincial_webhooks",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    Column("push_id", Text, nullable=False),
    Column("application_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# 0008: each unit's quota by year, series, level and pool (QuotaPlanRecorded); pushes count against it.
quota_plans = Table(
    "quota_plans",
    metadata,
    Column("year", Integer, nullable=False),
    Column("org_id", Text, nullable=False),
    Column("series", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("pool", Text, nullable=False),
    Column("quota", Integer, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("year", "org_id", "series", "level", "pool"),
)

# Registries the city office maintains (RegistryEntriesImported / RegistryEntryRecorded / …Removed).
registry_entries = Table(
    "registry_entries",
    metadata,
    Column("registry", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("entry", JSONB, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("registry", "key"),
)

# SCHED-4: each year's published push schedule (SchedulePublished); a year without rows uses 2021's.
published_schedules = Table(
    "published_schedules",
    metadata,
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("push_month", Integer, nullable=False),
    Column("grassroots", Boolean, nullable=False),
    Column("published_by", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("year", "series"),
)

# 0010: each series' push window of a year (SCHED-1), written with SchedulePublished,
# PushWindowReminderIssued and PushWindowClosed in their transactions.
push_windows = Table(
    "push_windows",
    metadata,
    Column("year", Integer, nullable=False),
    Column("series", Text, nullable=False),
    Column("push_month", Integer, nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    Column("in_schedule", Boolean, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("reminders", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("pushed_count", Integer, nullable=True),
    Column("left_behind_count", Integer, nullable=True),
    Column("left_behind_by_org", JSONB, nullable=True),
    PrimaryKeyConstraint("year", "series"),
)

# Projection of HolidayCalendarPublished (zhicheng_kernel.holiday_years): every process loads its calendar from it.
holiday_years = holiday_years_table(metadata)

# The start outbox of this service's workflows (zhicheng_kernel.workflow_starts).
workflow_starts = workflow_starts_table(metadata)

# Every call of an external client (zhicheng_kernel.access_audit).
external_access = external_access_table(metadata)

# -- the integrity file (科研诚信档案, NAT-8 and POL-ER-3; migration 0013) ------------------------------

# The entries events put in the file: a revoked document's holder (review-service's
# QualificationDocumentRevoked, NAT-8) and both sides of a confirmed recommendation misconduct
# (RecommendationMisconductConfirmed, POL-ER-3). The key is derived from the event, so a redelivery
# inserts nothing. The city office's own list stays the "blacklist" registry (registry_entries).
integrity_entries = Table(
    "integrity_entries",
    metadata,
    Column("entry_id", Text, primary_key=True),
    Column("person_key", Text, nullable=False),  # the ID-card number where known, else the account id
    Column("account_id", Text, nullable=True),
    Column("name", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", Text, nullable=False),  # revocation | recommendation_misconduct
    Column("rule", Text, nullable=False),  # NAT-8 | POL-ER-3
    Column("listed_on", Date, nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("document_number", Text, nullable=True),
    Column("application_id", Text, nullable=True),
    Column("org_path", Text, nullable=True),  # the applicant's employer: who may read it (subtree)
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_integrity_entries_person", "person_key"),
    Index("ix_integrity_entries_account", "account_id"),
)

# The integrity file as one read: the view (migration 0013) over the "blacklist" registry (source
# "registry") and integrity_entries. Declared apart from `metadata`: a view is not a table to create.
integrity_views = MetaData()
integrity_file = Table(
    "integrity_file",
    integrity_views,
    Column("entry_id", Text, primary_key=True),
    Column("person_key", Text),
    Column("account_id", Text),
    Column("name", Text),
    Column("reason", Text),
    Column("source", Text),
    Column("rule", Text),
    Column("listed_on", Date),
    Column("expires_on", Date),
    Column("document_number", Text),
    Column("application_id", Text),
    Column("org_path", Text),
)

# -- issue 11: blind review of expert recommendations (POL-ER-1) ------------------------------------------
# 0012: review-service's BlindReviewConcluded, one row per application: what the policy engine reads of
# the blind reviewers (review_id is the request's recommendation_id).
expert_recommendation_reviews = Table(
    "expert_recommendation_reviews",
    metadata,
    Column("application_id", Text, primary_key=True),
    Column("review_id", Text, nullable=False),
    Column("approvals", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("counts", Boolean, nullable=False),
    Column("misconduct_reported", Boolean, nullable=False),
    Column("concluded_at", DateTime(timezone=True), nullable=False),
)

# -- issue 12 (application hardening, migration 0016) ---------------------------------------------------
# Finding 22: one application (draft included) of a person per year and series, unless withdrawn.
Index(
    "uq_applications_one_per_series",
    applications.c.applicant_id,
    applications.c.year,
    applications.c.series,
    unique=True,
    postgresql_where=text("status <> 'withdrawn'"),
)


# The business audit of every command (zhicheng_kernel.audit, finding 16).
audit_log = audit_log_table(metadata)
