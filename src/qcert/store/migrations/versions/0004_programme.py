"""The audit programme of each certification's current cycle.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_programme",
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("due_by", sa.String(length=10), nullable=False),
        sa.Column("done_on", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("certification_id", "item"),
    )
    op.create_index(op.f("ix_lc_programme_body_id"), "lc_programme", ["body_id"], unique=False)
    op.create_index(op.f("ix_lc_programme_due_by"), "lc_programme", ["due_by"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_programme_due_by"), table_name="lc_programme")
    op.drop_index(op.f("ix_lc_programme_body_id"), table_name="lc_programme")
    op.drop_table("lc_programme")
