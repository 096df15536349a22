"""POL-FI-1: the province's verdict on a pushed candidate (ProvincialVerdictRecorded): only an approved
one enters a committee session.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("candidate", sa.Column("filing", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("candidate", "filing")
