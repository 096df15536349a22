"""The integrity file (科研诚信档案): entries from revocations (NAT-8) and confirmed recommendation
misconduct (POL-ER-3), and the one view over them and the city office's "blacklist" registry.

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# A registry entry (its JSON as the registry import wrote it) read as an entry of the file: the
# registry's list has always been POL-ER-3's research-integrity blacklist.
VIEW = """
CREATE VIEW integrity_file AS
SELECT 'registry:' || key AS entry_id,
       upper(key) AS person_key,
       NULL::text AS account_id,
       coalesce(entry->>'name', '') AS name,
       coalesce(entry->>'reason', '') AS reason,
       'registry'::text AS source,
       coalesce(entry->>'rule', 'POL-ER-3') AS rule,
       (entry->>'listed_on')::date AS listed_on,
       nullif(entry->>'expires_on', '')::date AS expires_on,
       NULL::text AS document_number,
       NULL::text AS application_id,
       NULL::text AS org_path
  FROM registry_entries
 WHERE registry = 'blacklist'
UNION ALL
SELECT entry_id, person_key, account_id, name, reason, source, rule, listed_on, expires_on,
       document_number, application_id, org_path
  FROM integrity_entries
"""


def upgrade() -> None:
    op.create_table(
        "integrity_entries",
        sa.Column("entry_id", sa.Text(), primary_key=True),
        sa.Column("person_key", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("document_number", sa.Text(), nullable=True),
        sa.Column("application_id", sa.Text(), nullable=True),
        sa.Column("org_path", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_integrity_entries_person", "integrity_entries", ["person_key"])
    op.create_index("ix_integrity_entries_account", "integrity_entries", ["account_id"])
    op.execute(VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW integrity_file")
    op.drop_table("integrity_entries")
