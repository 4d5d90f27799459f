"""Documents record their SM3 digest and, for photos, when and where they were taken.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

Uploads recorded before carry none of these, so the new columns are NULL for them, which is
what a replay of their events gives: the projection stays equal to the ledger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        batch.add_column(sa.Column("sm3", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("taken_at", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("taken_lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("taken_lon", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        for name in ("taken_lon", "taken_lat", "taken_at", "sm3"):
            batch.drop_column(name)
