"""The account read model shows an applicant's on-staff status (在编/编外), as the employer registered
or last corrected it (ApplicantRegistered, ApplicantStaffStatusChanged); back-filled from the store.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account", sa.Column("on_staff", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE account SET on_staff = (latest.payload->>'on_staff')::boolean"
        " FROM (SELECT DISTINCT ON (stream_id) stream_id, payload FROM event_store"
        "       WHERE event_type IN ('ApplicantRegistered', 'ApplicantStaffStatusChanged')"
        "       ORDER BY stream_id, version DESC) AS latest"
        " WHERE account.id::text = latest.stream_id"
    )


def downgrade() -> None:
    op.drop_column("account", "on_staff")
