"""Documents name the certification they were given for.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25

Uploads recorded before carry no certification, so the new column is NULL for them, which is
what a replay of their events gives: the projection stays equal to the ledger.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        batch.add_column(sa.Column("certification_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        batch.drop_column("certification_id")
