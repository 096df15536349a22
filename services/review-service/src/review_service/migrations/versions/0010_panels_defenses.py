"""Review panels (评议组, NAT-9) and their video defenses (POL-VD-1): the panels, one row per panel
candidate, and the candidate's replaced defense (ApplicationPushed.defense_replaced_by).

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidate", sa.Column("defense_replaced_by", sa.Text(), nullable=True))
    op.create_table(
        "review_panel",
        sa.Column("panel_id", sa.Text(), primary_key=True),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("organizing_org_id", sa.Text(), nullable=False),
        sa.Column("specialty", sa.Text(), nullable=False),
        sa.Column("expert_ids", JSONB(), nullable=False),
    )
    op.create_index("ix_review_panel_session_id", "review_panel", ["session_id"])
    op.create_table(
        "panel_candidate",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("panel_id", sa.Text(), nullable=False),
        sa.Column("applicant_id", sa.Text(), nullable=False),
        sa.Column("defense_required", sa.Boolean(), nullable=False),
        sa.Column("defense_replaced_by", sa.Text(), nullable=True),
        sa.Column("judge_ids", JSONB(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("room_id", sa.Text(), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("defense_recorded", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", "application_id"),
    )
    op.create_index("ix_panel_candidate_panel_id", "panel_candidate", ["panel_id"])


def downgrade() -> None:
    op.drop_table("panel_candidate")
    op.drop_table("review_panel")
    op.drop_column("candidate", "defense_replaced_by")
