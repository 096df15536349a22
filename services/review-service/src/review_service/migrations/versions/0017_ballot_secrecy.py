"""Issue 12: document numbers are random (finding 20), so the per-year sequence that handed out
gapless numbers goes. Ballots are sealed in their events (finding 5, NAT-2): no table changes.

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("document_sequence")


def downgrade() -> None:
    op.create_table(
        "document_sequence",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.BigInteger(), nullable=False),
    )
