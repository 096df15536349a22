"""Kernel tables, the reference corpus and the checks.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from zhicheng_kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables()
    op.create_table(
        "corpus_documents",
        sa.Column("external_id", sa.Text, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("authors", JSONB, nullable=False),
        sa.Column("published_on", sa.Date, nullable=True),
        sa.Column("chars", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("authors", JSONB, nullable=False),
        sa.Column("journal_level", sa.Text, nullable=True),
        sa.Column("published_on", sa.Date, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_chars", sa.Integer, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("application_id", sa.Text, nullable=True),
        sa.Column("paper_id", sa.Text, nullable=True),
        sa.Column("request_event_id", sa.Uuid, nullable=True, unique=True),
        sa.Column("result", JSONB, nullable=True),
        sa.Column("error", JSONB, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_checks_application_paper", "checks", ["application_id", "paper_id"])


def downgrade() -> None:
    op.drop_table("checks")
    op.drop_table("corpus_documents")
