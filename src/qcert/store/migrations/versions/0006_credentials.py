"""Credentials issued for certificates: where each is on the ledger, and its hash.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_credentials",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    op.create_index(op.f("ix_lc_credentials_body_id"), "lc_credentials", ["body_id"], unique=False)
    op.create_index(
        op.f("ix_lc_credentials_certification_id"),
        "lc_credentials",
        ["certification_id"],
        unique=False,
    )
    op.create_index(op.f("ix_lc_credentials_number"), "lc_credentials", ["number"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_credentials_number"), table_name="lc_credentials")
    op.drop_index(op.f("ix_lc_credentials_certification_id"), table_name="lc_credentials")
    op.drop_index(op.f("ix_lc_credentials_body_id"), table_name="lc_credentials")
    op.drop_table("lc_credentials")
