"""NAT-2's private ballot box (issue 12, finding 5): the sealed ballots of a session stay out of its
stream while the vote is open — one row per session, no time, no order — and reach the stream in one
BallotsCollected event when the vote closes (adapters.ballot_box).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ballot_box",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("boxes", JSONB(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ballot_box")
