"""Issue 12: checks run outside the consumer's transaction and decide "own work" and "later sources" from
what the service knows (owner account, trusted date); registered authors of corpus sources; the
organizations whose kind and level decide who keeps the corpus.

Revision ID: 0006_plagiarism_hardening
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checks", sa.Column("owner_id", sa.Text, nullable=True))
    op.add_column("checks", sa.Column("sources_until", sa.Date, nullable=True))
    op.add_column("checks", sa.Column("sources_until_basis", sa.Text, nullable=True))
    op.add_column("checks", sa.Column("correlation_id", sa.Uuid, nullable=True))
    op.add_column("application_orgs", sa.Column("applicant_id", sa.Text, nullable=True))
    op.add_column(
        "corpus_documents",
        sa.Column("author_account_ids", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.create_table(
        "organizations",
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_table("organizations")
    op.drop_column("corpus_documents", "author_account_ids")
    op.drop_column("application_orgs", "applicant_id")
    op.drop_column("checks", "correlation_id")
    op.drop_column("checks", "sources_until_basis")
    op.drop_column("checks", "sources_until")
    op.drop_column("checks", "owner_id")
