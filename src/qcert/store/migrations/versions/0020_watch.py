"""Watched streams: each device's monitor and its alarm episodes.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

Both tables are projections of the ``evidence.monitor-fitted``, ``evidence.alarm-raised`` and
``evidence.alarm-cleared`` events.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_monitors",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("variables", sa.Text(), nullable=False),
        sa.Column("start", sa.String(length=40), nullable=False),
        sa.Column("end", sa.String(length=40), nullable=False),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.Column("limits", sa.Text(), nullable=False),
        sa.Column("charts", sa.Text(), nullable=False),
        sa.Column("persistence", sa.Integer(), nullable=False),
        sa.Column("graph", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("last_raised", sa.BigInteger(), nullable=False),
        sa.Column("last_cleared", sa.BigInteger(), nullable=False),
        sa.Column("open_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_index("ix_evidence_monitors_client_id", "evidence_monitors", ["client_id"])
    op.create_table(
        "evidence_alarms",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=40), nullable=False),
        sa.Column("statistic", sa.String(length=32), nullable=False),
        sa.Column("top_variables", sa.Text(), nullable=False),
        sa.Column("cleared", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "seq"),
    )
    op.create_index("ix_evidence_alarms_client_id", "evidence_alarms", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_alarms_client_id", table_name="evidence_alarms")
    op.drop_table("evidence_alarms")
    op.drop_index("ix_evidence_monitors_client_id", table_name="evidence_monitors")
    op.drop_table("evidence_monitors")
