"""Documents issued on a route without a committee: no session; whose they are (applicant, employer
chain) kept with the document, since such an application was never a candidate.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("qualification_document", "session_id", nullable=True)
    op.add_column("qualification_document", sa.Column("applicant_id", sa.Text(), nullable=True))
    op.add_column("qualification_document", sa.Column("org_path", sa.Text(), nullable=True))
    op.execute(
        "UPDATE qualification_document d SET applicant_id = c.applicant_id, org_path = c.org_path"
        " FROM candidate c WHERE c.application_id = d.application_id"
    )


def downgrade() -> None:
    op.drop_column("qualification_document", "org_path")
    op.drop_column("qualification_document", "applicant_id")
    op.alter_column("qualification_document", "session_id", nullable=False)
