"""Dead letters: events this service's consumers or relay parked after bounded retries (kernel deadletters).

Revision ID: 0015
Revises: 0014
"""

from alembic import op
from zhicheng_kernel.migrations import create_dead_letter_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table()


def downgrade() -> None:
    op.drop_table("dead_letter")
