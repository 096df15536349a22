"""Kernel tables (event store, outbox cursor, consumer tracking) and review-service's read models.

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
        "candidate",
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("push_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("specialty", sa.Text(), nullable=True),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("applicant_id", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Text(), nullable=False),
        sa.Column("org_path", sa.Text(), nullable=False),
        sa.Column("county_code", sa.Text(), nullable=True),
        sa.Column("annotations", JSONB(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("application_id"),
    )
    op.create_table(
        "committee",
        sa.Column("committee_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("organizing_org_id", sa.Text(), nullable=False),
        sa.Column("expert_ids", JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("committee_id"),
    )
    op.create_table(
        "complaint",
        sa.Column("complaint_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    op.create_table(
        "document_sequence",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "expert",
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Text(), nullable=False),
        sa.Column("series", JSONB(), nullable=False),
        sa.Column("title_level", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "organization",
        sa.Column("org_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "qualification_document",
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "session",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("committee_id", sa.Text(), nullable=False),
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("workflow_input", JSONB(), nullable=False),
        sa.Column("workflow_started", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "session_voter",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("expert_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "expert_id"),
    )


def downgrade() -> None:
    for table in (
        "session_voter",
        "session",
        "qualification_document",
        "organization",
        "expert",
        "document_sequence",
        "complaint",
        "committee",
        "candidate",
    ):
        op.drop_table(table)
