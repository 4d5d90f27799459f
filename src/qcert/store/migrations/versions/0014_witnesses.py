"""Witnesses: what a witness holds of each log it follows, and the cosignatures a log keeps.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_logs",
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("suite", sa.String(length=16), nullable=False),
        sa.Column("vkeys", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin"),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column("suite", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(length=300), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("suite", "size", "witness"),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
    op.drop_table("witness_logs")
