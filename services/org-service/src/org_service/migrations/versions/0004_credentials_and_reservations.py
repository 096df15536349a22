"""Secrets out of the read model, cross-stream uniqueness as reservations.

The account's password hash and lock-out counters move to the `credential` table (not a projection,
never in an event). `reservation` holds the values that must be unique across streams (ORG-4 names
and credit codes, usernames, ID-card numbers), back-filled from the read models.

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
    op.create_table(
        "credential",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.execute(
        "INSERT INTO credential (account_id, password_hash, failed_logins, locked_until)"
        " SELECT id, password_hash, failed_logins, locked_until FROM account"
    )
    for column in ("password_hash", "failed_logins", "locked_until"):
        op.drop_column("account", column)
    op.create_table(
        "reservation",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "value"),
    )
    op.execute(
        "INSERT INTO reservation (scope, value, owner_id)"
        " SELECT 'org_name', normalised_name, id FROM organization"
        " UNION ALL SELECT 'credit_code', credit_code, id FROM organization WHERE credit_code IS NOT NULL"
        " UNION ALL SELECT 'username', username, id FROM account"
        " UNION ALL SELECT 'id_card', id_card_number, id FROM account WHERE id_card_number IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("reservation")
    op.add_column("account", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column("account", sa.Column("failed_logins", sa.Integer(), nullable=True))
    op.add_column("account", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE account SET password_hash = c.password_hash, failed_logins = c.failed_logins,"
        " locked_until = c.locked_until FROM credential c WHERE c.account_id = account.id"
    )
    op.alter_column("account", "password_hash", nullable=False)
    op.alter_column("account", "failed_logins", nullable=False)
    op.drop_table("credential")
