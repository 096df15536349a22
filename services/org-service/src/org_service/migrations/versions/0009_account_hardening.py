"""Account hardening (issue 12): login throttles per username and address, refresh token families
with an absolute lifetime, audit rows that are no event (logins, refreshes, unlocks).

The credential's own failure counter and lock move to `login_throttle` (keyed by the typed username,
whether or not an account holds it). Existing refresh tokens each become a family of their own.

Revision ID: 0009_account_hardening
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locks", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.drop_column("credential", "failed_logins")
    op.drop_column("credential", "locked_until")
    op.add_column("refresh_token", sa.Column("family_id", sa.Text(), nullable=True))
    op.execute("UPDATE refresh_token SET family_id = token_hash")
    op.alter_column("refresh_token", "family_id", nullable=False)
    op.create_index("refresh_token_family", "refresh_token", ["family_id"])
    op.create_index("refresh_token_account", "refresh_token", ["account_id"])
    op.alter_column("audit_log", "position", nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM audit_log WHERE position IS NULL")
    op.alter_column("audit_log", "position", nullable=False)
    op.drop_index("refresh_token_account", table_name="refresh_token")
    op.drop_index("refresh_token_family", table_name="refresh_token")
    op.drop_column("refresh_token", "family_id")
    op.add_column("credential", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("credential", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.drop_table("login_throttle")
