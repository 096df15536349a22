"""The official holiday calendars the city office published (projection of HolidayCalendarPublished).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("holidays", ARRAY(sa.Date), nullable=False),
        sa.Column("working_weekends", ARRAY(sa.Date), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("holiday_years")
