"""Dead letters: events this service's consumers or relay parked after bounded retries (kernel deadletters).

Revision ID: 0014
Revises: 0013
"""

from alembic import op
from zhicheng_kernel.migrations import create_dead_letter_table

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table()


def downgrade() -> None:
    op.drop_table("dead_letter")
