"""The official holiday calendars the city office published (projection of HolidayCalendarPublished).

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from zhicheng_kernel.migrations import create_holiday_years_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_holiday_years_table()


def downgrade() -> None:
    op.drop_table("holiday_years")
