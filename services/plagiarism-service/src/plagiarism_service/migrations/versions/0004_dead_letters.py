"""Dead letters: events this service's consumers or relay parked after bounded retries (kernel deadletters).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from zhicheng_kernel.migrations import create_dead_letter_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table()


def downgrade() -> None:
    op.drop_table("dead_letter")
