"""Status lists: each certificate's bit, and every published version of each list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Both are new facts (no earlier event assigned bits or published lists), so the new
columns start empty and the projection stays equal to a replay of the ledger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_certifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_list", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_lc_certifications_status_entry", ["body_id", "status_list", "status_index"]
        )
    op.create_table(
        "lc_status_lists",
        sa.Column("list_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("list_no", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.String(length=20), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "version"),
        sa.UniqueConstraint("ledger_index"),
    )
    op.create_index(
        "ix_lc_status_lists_lookup", "lc_status_lists", ["body_id", "purpose"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lc_status_lists_lookup", table_name="lc_status_lists")
    op.drop_table("lc_status_lists")
    with op.batch_alter_table("lc_certifications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_lc_certifications_status_entry", type_="unique")
        batch_op.drop_column("status_index")
        batch_op.drop_column("status_list")
