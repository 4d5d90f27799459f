"""Alarms of production lines' quality monitors, one row per alarm.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

A new fact (no earlier event raised a line alarm), so the table starts empty and the
projection stays equal to a replay of the ledger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_line_alarms",
        sa.Column("line_id", sa.String(length=140), nullable=False),
        sa.Column("reading", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=64), nullable=False),
        sa.Column("onset", sa.Integer(), nullable=False),
        sa.Column("statistic", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("limit", sa.Float(), nullable=False),
        sa.Column("top_variables", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("cleared", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("line_id", "reading"),
    )
    op.create_index(
        op.f("ix_lc_line_alarms_client_id"), "lc_line_alarms", ["client_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_line_alarms_client_id"), table_name="lc_line_alarms")
    op.drop_table("lc_line_alarms")
