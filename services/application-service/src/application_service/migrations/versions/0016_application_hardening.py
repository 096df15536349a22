"""Issue 12: one application of a person per year and series, unless withdrawn (finding 22).

The service refuses a second one with 409 under a transaction lock; this unique index is the last word.
A database that already holds such duplicates (made before the fix) stops this migration with a unique
violation: find them with `SELECT applicant_id, year, series, count(*) FROM applications WHERE status <>
'withdrawn' GROUP BY 1, 2, 3 HAVING count(*) > 1` and withdraw the later ones first.

Revision ID: 0016
Revises: 0013
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_applications_one_per_series",
        "applications",
        ["applicant_id", "year", "series"],
        unique=True,
        postgresql_where="status <> 'withdrawn'",
    )


def downgrade() -> None:
    op.drop_index("uq_applications_one_per_series", table_name="applications")
