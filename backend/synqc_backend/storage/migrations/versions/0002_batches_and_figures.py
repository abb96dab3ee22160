"""Per-batch timing on runs; rendered figures.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("batches", sa.JSON, nullable=False, server_default="[]"))
    op.create_table(
        "run_figures",
        sa.Column(
            "run_id",
            sa.String(36),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("svg", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_figures")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("batches")
