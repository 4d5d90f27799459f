"""Real-time evidence: data sources, anchored windows, readings and refused messages.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05

``evidence_devices`` and ``evidence_windows`` are projections of the ``evidence.*`` events.
``evidence_readings`` is keyed by (device, seq), which makes a reading exactly once whatever
resends it. On PostgreSQL it is one table with an index on (device, time), not partitioned by
month: a partitioned table's unique keys must hold the partition key, so (device, seq) could
only be unique within a month, and exactly-once delivery rests on the database refusing a
second row for a key. Range reads go through the (device, time) index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("variables", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("anchored_until", sa.BigInteger(), nullable=False),
        sa.Column("windows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_devices_client_id", "evidence_devices", ["client_id"])
    op.create_table(
        "evidence_windows",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    op.create_index(
        "ix_evidence_windows_device_start", "evidence_windows", ["device_id", "start_us"]
    )
    op.create_table(
        "evidence_readings",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("time_us", sa.BigInteger(), nullable=False),
        sa.Column("received_us", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq"),
    )
    op.create_index(
        "ix_evidence_readings_device_time", "evidence_readings", ["device_id", "time_us"]
    )
    op.create_table(
        "evidence_dead_letters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=256), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_dead_letters_client_id", "evidence_dead_letters", ["client_id"])


def downgrade() -> None:
    op.drop_table("evidence_dead_letters")
    op.drop_table("evidence_readings")
    op.drop_table("evidence_windows")
    op.drop_table("evidence_devices")
