"""Runs indexed by (session_id, status): the per-session active-run count reads only the
session's queued and running rows, however many runs the session has finished.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_runs_session_id_status", "runs", ["session_id", "status"])
    # The new index serves every lookup by session_id alone too.
    op.drop_index("ix_runs_session_id", table_name="runs")


def downgrade() -> None:
    op.create_index("ix_runs_session_id", "runs", ["session_id"])
    op.drop_index("ix_runs_session_id_status", table_name="runs")
