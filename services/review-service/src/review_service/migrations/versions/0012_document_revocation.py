"""NAT-8: a qualification document revoked for fraud (QualificationDocumentRevoked) — when and why.

Revision ID: 0012
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("qualification_document", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("qualification_document", sa.Column("revocation_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("qualification_document", "revocation_reason")
    op.drop_column("qualification_document", "revoked_at")
