"""The expert pool (专家库, NAT-6) and the private ledger of who sits when (NAT-4's draw).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert_pool",
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("organizing_org_id", sa.Text(), nullable=False),
        sa.Column("series", JSONB(), nullable=False),
        sa.Column("specialty", sa.Text(), nullable=False),
        sa.Column("title_level", sa.Text(), nullable=False),
        sa.Column("employer_org_id", sa.Text(), nullable=False),
        sa.Column("term_starts_on", sa.Date(), nullable=False),
        sa.Column("term_ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "term_starts_on"),
    )
    op.create_index("expert_pool_term_ends_on", "expert_pool", ["term_ends_on"])
    op.create_table(
        "session_sitting",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("expert_id", sa.Text(), nullable=False),
        sa.Column("meeting_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meeting_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "expert_id"),
    )
    op.create_index("session_sitting_expert", "session_sitting", ["expert_id"])


def downgrade() -> None:
    op.drop_table("session_sitting")
    op.drop_table("expert_pool")
