"""Notices of what is due, and the e-mail addresses accounts receive them at.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

Both tables are projections: ``notices`` of ``notice.sent``, ``notice.read`` and
``notice.mailed``; ``notice_addresses`` of ``notice.address-set``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("read_at", sa.String(length=40), nullable=True),
        sa.Column("mailed_to", sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notices_recipient_at", "notices", ["recipient", "at"])
    op.create_table(
        "notice_addresses",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("notice_addresses")
    op.drop_index("ix_notices_recipient_at", table_name="notices")
    op.drop_table("notices")
