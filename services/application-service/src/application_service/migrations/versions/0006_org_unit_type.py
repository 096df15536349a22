"""The orgs projection keeps a state unit's `unit_type` (OrganizationCreated carries it): a state_unit
whose type is "enterprise" is a state-owned enterprise, any other a public institution (issue 9, C1).

Rows projected before this revision have none: the projections consumer reads org-service's events
again from the start (its handlers are upserts), which fills it in.

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
    op.add_column("orgs", sa.Column("unit_type", sa.Text(), nullable=True))
    org_events = "consumer = 'application-service.projections' AND source = 'org-service'"
    op.execute(f"DELETE FROM processed_event WHERE {org_events}")
    op.execute(f"UPDATE consumer_watermark SET position = 0 WHERE {org_events}")


def downgrade() -> None:
    op.drop_column("orgs", "unit_type")
