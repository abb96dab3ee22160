"""Per-qubit measurements of succeeded runs, indexed by target, qubit, quantity and time, and
the latest one of each series.

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
    op.create_table(
        "qubit_measurements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("hardware_target", sa.String(64), nullable=False),
        sa.Column("qubit", sa.Integer, nullable=False),
        sa.Column("quantity", sa.String(48), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("stderr", sa.Float, nullable=True),
        sa.Column("quality", sa.String(8), nullable=False),
        sa.Column("measured_at", sa.Float, nullable=False),
        sa.Column("reported", sa.Float, nullable=True),
        sa.Column("drift_z", sa.Float, nullable=True),
    )
    op.create_index("ix_qubit_measurements_run_id", "qubit_measurements", ["run_id"])
    op.create_index(
        "ix_qubit_measurements_target_qubit_quantity_time",
        "qubit_measurements",
        ["hardware_target", "qubit", "quantity", "measured_at"],
    )
    op.create_table(
        "qubit_latest",
        sa.Column("hardware_target", sa.String(64), primary_key=True),
        sa.Column("qubit", sa.Integer, primary_key=True),
        sa.Column("quantity", sa.String(48), primary_key=True),
        sa.Column(
            "measurement_id",
            sa.Integer,
            sa.ForeignKey("qubit_measurements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("measured_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("qubit_latest")
    op.drop_index("ix_qubit_measurements_target_qubit_quantity_time", "qubit_measurements")
    op.drop_index("ix_qubit_measurements_run_id", "qubit_measurements")
    op.drop_table("qubit_measurements")
