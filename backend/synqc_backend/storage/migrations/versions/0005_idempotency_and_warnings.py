"""Runs keep the client's `Idempotency-Key` (unique per session) and the warnings given at
submit.

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
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(128), nullable=True))
        batch.add_column(sa.Column("submit_warnings", sa.JSON(), nullable=True))
    op.create_index(
        "ix_runs_session_id_idempotency_key",
        "runs",
        ["session_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_runs_session_id_idempotency_key", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("submit_warnings")
        batch.drop_column("idempotency_key")
