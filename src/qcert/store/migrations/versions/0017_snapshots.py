"""Snapshots of aggregates beside the log.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

``lc_snapshots`` holds each aggregate's newest snapshot (``store.snapshots``). It starts
empty: an aggregate gets its first snapshot when a command finds it has enough events.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_snapshots",
        sa.Column("aggregate", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("format", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("aggregate"),
    )


def downgrade() -> None:
    op.drop_table("lc_snapshots")
