"""Initial schema: runs, circuit_counts, control_profiles.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(160), nullable=False, index=True),
        sa.Column("preset", sa.String(32), nullable=False, index=True),
        sa.Column("preset_version", sa.Integer, nullable=False),
        sa.Column("hardware_target", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", sa.Float, nullable=False, index=True),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("shot_budget", sa.Integer, nullable=False),
        sa.Column("shots_executed", sa.Integer, nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("control_profile", sa.JSON, nullable=False),
        sa.Column("target_snapshot", sa.JSON, nullable=False),
        sa.Column("timeline", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("notes", sa.Text),
        sa.Column("error_code", sa.String(32)),
        sa.Column("error_message", sa.Text),
        sa.Column("error_detail", sa.JSON),
        sa.Column("action_hint", sa.Text),
    )
    op.create_table(
        "circuit_counts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("batch_index", sa.Integer, nullable=False),
        sa.Column("circuit_index", sa.Integer, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("x_value", sa.Float),
        sa.Column("shots", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.UniqueConstraint("run_id", "batch_index", "circuit_index"),
    )
    op.create_table(
        "control_profiles",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("control_profiles")
    op.drop_table("circuit_counts")
    op.drop_table("runs")
