"""Issue 11: the public publicity's complaints (contact details and attachments, private), the rate
limit's windows shared by every replica, and the review requests (复查, NAT-11).

Revision ID: 0013
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_complaint",
        sa.Column("complaint_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("complainant_name", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    op.create_index("public_complaint_session", "public_complaint", ["session_id"])
    op.create_table(
        "public_complaint_attachment",
        sa.Column("complaint_id", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", "n"),
    )
    op.create_table(
        "rate_limit_window",
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start"),
    )
    op.create_table(
        "review_request",
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("applicant_id", sa.Text(), nullable=False),
        sa.Column("organizing_org_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document_number", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("request_id"),
        sa.UniqueConstraint("application_id"),
    )
    op.create_index("review_request_office", "review_request", ["organizing_org_id"])


def downgrade() -> None:
    op.drop_index("review_request_office", table_name="review_request")
    op.drop_table("review_request")
    op.drop_table("rate_limit_window")
    op.drop_table("public_complaint_attachment")
    op.drop_index("public_complaint_session", table_name="public_complaint")
    op.drop_table("public_complaint")
