"""API keys by exact id, organisations' consents and invitations, server-side sessions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Live API keys move from a JSON list on each account to a table keyed by the key's id, so a
key is found by its exact id. Keys issued before labels carry an empty label, which is what a
replay of their events gives: the projection stays equal to the ledger.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys = op.create_table(
        "lc_api_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index("ix_lc_api_keys_account_id", "lc_api_keys", ["account_id"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, api_keys FROM lc_accounts")).all()
    found = [
        {"key_id": key_id, "account_id": account, "label": ""}
        for account, listed in rows
        for key_id in json.loads(listed)
    ]
    if found:
        op.bulk_insert(keys, found)
    with op.batch_alter_table("lc_accounts") as batch:
        batch.drop_column("api_keys")
    op.create_table(
        "lc_consents",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("given_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "body_id"),
    )
    op.create_table(
        "lc_invitations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("expires", sa.String(length=10), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lc_invitations_client_id", "lc_invitations", ["client_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_sessions_account_id", "auth_sessions", ["account_id"])
    op.create_table(
        "auth_failures",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("auth_failures")
    op.drop_index("ix_auth_sessions_account_id", table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_index("ix_lc_invitations_client_id", table_name="lc_invitations")
    op.drop_table("lc_invitations")
    op.drop_table("lc_consents")
    with op.batch_alter_table("lc_accounts") as batch:
        batch.add_column(sa.Column("api_keys", sa.Text(), nullable=False, server_default="[]"))
    op.drop_index("ix_lc_api_keys_account_id", table_name="lc_api_keys")
    op.drop_table("lc_api_keys")
