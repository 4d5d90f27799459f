"""A device's readings are indexed by time and then seq, so a window's count and seq range
are read from the index alone.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06

Anchoring checks, in its transaction, that each window it records still holds the readings
it read (their count, lowest and highest seq). With (device, time) only, every reading of the
window was looked up in the table for its seq; with (device, time, seq) the index answers.
Rows are unchanged; the index is built again from them.
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_evidence_readings_device_time", table_name="evidence_readings")
    op.create_index(
        "ix_evidence_readings_device_time",
        "evidence_readings",
        ["device_id", "time_us", "seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_evidence_readings_device_time", table_name="evidence_readings")
    op.create_index(
        "ix_evidence_readings_device_time", "evidence_readings", ["device_id", "time_us"]
    )
