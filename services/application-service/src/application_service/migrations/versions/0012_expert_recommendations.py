"""review-service's blind-review results of expert recommendations (POL-ER-1).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert_recommendation_reviews",
        sa.Column("application_id", sa.Text(), primary_key=True),
        sa.Column("review_id", sa.Text(), nullable=False),
        sa.Column("approvals", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("misconduct_reported", sa.Boolean(), nullable=False),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("expert_recommendation_reviews")
