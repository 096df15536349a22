"""The service's own tables (its database is shared with no other service)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, Table, Text, Uuid, text, true
from sqlalchemy.dialects.postgresql import JSONB
from zhicheng_kernel.audit import audit_log_table

metadata = MetaData()

corpus_documents = Table(
    "corpus_documents",
    metadata,
    Column("external_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("authors", JSONB, nullable=False),
    Column("published_on", Date, nullable=True),
    Column("chars", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    # Soft removal: the row stays for the record, the index forgets the document.
    Column("removed", Boolean, nullable=False, server_default="false"),
    Column("removed_at", DateTime(timezone=True), nullable=True),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("status", Text, nullable=False),  # completed | rejected (invalid text from an application)
    Column("origin", Text, nullable=False),  # api | application
    Column("title", Text, nullable=False),
    Column("authors", JSONB, nullable=False),
    Column("journal_level", Text, nullable=True),
    Column("published_on", Date, nullable=True),
    # Kept so that the report of a later issue can show the passages in context.
    Column("text", Text, nullable=False),
    Column("text_chars", Integer, nullable=False),
    Column("requested_by", Text, nullable=False),
    # Whose check it is beyond the requester: the requester's org subtree (api checks, 0002 on).
    Column("org_path", Text, nullable=True),
    Column("application_id", Text, nullable=True),
    Column("paper_id", Text, nullable=True),
    Column("request_event_id", Uuid, nullable=True, unique=True),
    Column("result", JSONB, nullable=True),
    Column("error", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_checks_application_paper", "application_id", "paper_id"),
)

# The org of each application (from application-service's ApplicationSubmitted): the subtree whose
# reviewers may read the checks of its papers.
application_orgs = Table(
    "application_orgs",
    metadata,
    Column("application_id", Text, primary_key=True),
    Column("org_path", Text, nullable=False),
)

# -- issue 12 (plagiarism hardening, migration 0006) --------------------------------------------------
# Whose check it is (the account whose registered publications are "own work") and the date after
# which corpus sources are ignored, with where that date came from (never the applicant's typed date).
checks.append_column(Column("owner_id", Text, nullable=True))
checks.append_column(Column("sources_until", Date, nullable=True))
checks.append_column(Column("sources_until_basis", Text, nullable=True))
# The request's correlation id: the outcome recorded later by the check worker stays in its chain.
checks.append_column(Column("correlation_id", Uuid, nullable=True))
application_orgs.append_column(Column("applicant_id", Text, nullable=True))
# The org-service accounts registered as the source's authors (what makes it someone's "own work").
corpus_documents.append_column(Column("author_account_ids", JSONB, nullable=False, server_default=text("'[]'::jsonb")))

# org-service's organizations (kind, level): the city title office keeps the corpus.
organizations = Table(
    "organizations",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
)


# The business audit of every command (zhicheng_kernel.audit, finding 16).
audit_log = audit_log_table(metadata)
