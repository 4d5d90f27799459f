"""Bodies' credential-signing keys, with their validity and revocation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_body_keys",
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.String(length=20), nullable=False),
        sa.Column("revoked", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("body_id", "key_id"),
    )


def downgrade() -> None:
    op.drop_table("lc_body_keys")
