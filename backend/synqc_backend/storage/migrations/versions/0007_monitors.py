"""Monitors (scheduled characterisation), the monitor each run was submitted by, and leases
(the one monitor scheduler at a time).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitors",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(160), nullable=False),
        sa.Column("hardware_target", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("every", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("next_due_at", sa.Float, nullable=False),
        sa.Column("last_run_id", sa.String(36), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=True),
        sa.Column("last_success_at", sa.Float, nullable=True),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_monitors_paused_next_due_at", "monitors", ["paused", "next_due_at"])
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("monitor_id", sa.String(36), nullable=True))
    op.create_index("ix_runs_monitor_id", "runs", ["monitor_id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_index("ix_runs_monitor_id", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("monitor_id")
    op.drop_index("ix_monitors_paused_next_due_at", table_name="monitors")
    op.drop_table("monitors")
