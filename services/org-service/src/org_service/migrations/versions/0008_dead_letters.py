"""Dead letters: events this service's consumers or relay parked after bounded retries (kernel deadletters).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from zhicheng_kernel.migrations import create_dead_letter_table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table()


def downgrade() -> None:
    op.drop_table("dead_letter")
