"""Client names and confidentiality in the clients projection (for public lookups).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Existing rows are filled from their ``client.registered`` events, so the projection
stays equal to a replay of the ledger.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_zh", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("name_en", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("confidential", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    clients = sa.table(
        "lc_clients",
        sa.column("id", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String),
        sa.column("confidential", sa.Boolean),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT document FROM lc_events WHERE type = 'client.registered'"))
    for (document,) in rows.fetchall():
        data = json.loads(document)["data"]
        bind.execute(
            clients.update()
            .where(clients.c.id == data["client_id"])
            .values(
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                confidential=bool(data.get("confidential", False)),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("lc_clients", schema=None) as batch_op:
        batch_op.drop_column("confidential")
        batch_op.drop_column("name_en")
        batch_op.drop_column("name_zh")
