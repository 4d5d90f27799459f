"""The supervision hub: bodies enrolled for reporting, the records they reported, random
inspection campaigns, early warnings, risk scans, and the registers of other sources.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

Both are projections of the hub's events (``hub.*``); they start empty. ``exchange_cursors``
keeps, for a body reporting to a hub, the newest ledger index it sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_bodies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("vkey", sa.String(length=400), nullable=False),
        sa.Column("enrolled_on", sa.String(length=10), nullable=False),
        sa.Column("signing_keys", sa.Text(), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("last_received", sa.String(length=40), nullable=False),
        sa.Column("refusals", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hub_bodies_region", "hub_bodies", ["region"])
    op.create_index("ix_hub_bodies_origin", "hub_bodies", ["origin"])
    op.create_table(
        "hub_records",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=True),
        sa.Column("audit_id", sa.String(length=64), nullable=True),
        sa.Column("certificate_no", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("occurred_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("lag_s", sa.BigInteger(), nullable=False),
        sa.Column("body_ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index", "position"),
    )
    op.create_index("ix_hub_records_body_record", "hub_records", ["body_id", "record_id"])
    op.create_index("ix_hub_records_certification", "hub_records", ["body_id", "certification_id"])
    op.create_index("ix_hub_records_region", "hub_records", ["region"])
    op.create_index("ix_hub_records_audit", "hub_records", ["body_id", "audit_id"])
    op.create_index("ix_hub_records_number", "hub_records", ["certificate_no"])
    op.create_table(
        "hub_draws",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("committed_on", sa.String(length=10), nullable=False),
        sa.Column("seed", sa.String(length=256), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("strata", sa.Text(), nullable=False),
        sa.Column("selections", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hub_draws_jurisdiction", "hub_draws", ["jurisdiction"])
    op.create_table(
        "hub_warnings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("entity_kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("referred_to", sa.String(length=200), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hub_warnings_indicator", "hub_warnings", ["indicator"])
    op.create_index("ix_hub_warnings_body_id", "hub_warnings", ["body_id"])
    op.create_index("ix_hub_warnings_region", "hub_warnings", ["region"])
    op.create_table(
        "hub_registry",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index", "position"),
    )
    op.create_index("ix_hub_registry_source_key", "hub_registry", ["source", "key"])
    op.create_table(
        "hub_scans",
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("grades", sa.Text(), nullable=False),
        sa.Column("classes", sa.Text(), nullable=False),
        sa.Column("riskiest", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("as_of"),
    )
    op.create_table(
        "exchange_cursors",
        sa.Column("hub", sa.String(length=200), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("up_to", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("hub", "body_id"),
    )


def downgrade() -> None:
    op.drop_table("exchange_cursors")
    op.drop_table("hub_draws")
    op.drop_table("hub_warnings")
    op.drop_table("hub_registry")
    op.drop_table("hub_scans")
    op.drop_table("hub_records")
    op.drop_table("hub_bodies")
