"""The kernel's start outbox (zhicheng_kernel.workflow_starts) for every workflow this service starts:
the review years' (SCHED-3) and the committee sessions', whose own outbox columns on `session` it
replaces (a session whose workflow was not started yet moves into it).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from zhicheng_kernel.migrations import create_workflow_start_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_workflow_start_table()
    op.execute(
        """
        INSERT INTO workflow_start (workflow_id, workflow_name, workflow_input, search_attributes, started)
        SELECT s.workflow_id, 'CommitteeSessionWorkflow', s.workflow_input,
               jsonb_strip_nulls(jsonb_build_object('ZcYear', s.year, 'ZcSeries', s.series, 'ZcStatus', 'voting',
                                                    'ZcOffice', c.organizing_org_id)),
               s.workflow_started
        FROM session s LEFT JOIN committee c ON c.committee_id = s.committee_id
        """
    )
    op.drop_column("session", "workflow_input")
    op.drop_column("session", "workflow_started")


def downgrade() -> None:
    op.add_column("session", sa.Column("workflow_input", postgresql.JSONB(), nullable=True))
    op.add_column("session", sa.Column("workflow_started", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute(
        """
        UPDATE session s SET workflow_input = w.workflow_input, workflow_started = w.started
        FROM workflow_start w WHERE w.workflow_id = s.workflow_id
        """
    )
    op.execute("UPDATE session SET workflow_input = '{}'::jsonb WHERE workflow_input IS NULL")
    op.alter_column("session", "workflow_input", nullable=False)
    op.drop_table("workflow_start")
