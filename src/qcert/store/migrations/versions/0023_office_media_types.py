"""Documents' media types may be Office Open XML's, which are longer than 64 characters.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

``application/vnd.openxmlformats-officedocument.wordprocessingml.document`` is 71 characters;
the column grows to 128. Rows already stored are unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        batch.alter_column(
            "media_type", existing_type=sa.String(length=64), type_=sa.String(length=128)
        )


def downgrade() -> None:
    with op.batch_alter_table("lc_documents") as batch:
        batch.alter_column(
            "media_type", existing_type=sa.String(length=128), type_=sa.String(length=64)
        )
