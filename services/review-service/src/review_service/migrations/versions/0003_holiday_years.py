"""The official holiday calendars application-service published (HolidayCalendarPublished), for NAT-3.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from zhicheng_kernel.migrations import create_holiday_years_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_holiday_years_table()


def downgrade() -> None:
    op.drop_table("holiday_years")
