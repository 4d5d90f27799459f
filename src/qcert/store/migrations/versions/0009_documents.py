"""Documents uploaded by organisations: one row per upload, with its ledger index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

A new fact (no earlier event uploaded a document), so the table starts empty and the
projection stays equal to a replay of the ledger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_documents",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    op.create_index("ix_lc_documents_client", "lc_documents", ["client_id", "sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_lc_documents_client", table_name="lc_documents")
    op.drop_table("lc_documents")
