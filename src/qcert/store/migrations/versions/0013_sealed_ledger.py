"""The ledger seals each entry's leaf hash when it is sequenced and numbers its checkpoints.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

``ledger_entries.leaves`` holds the SHA-256 leaf hashes of a row's entries, so an audit can
check entries no tree holds yet; existing rows are sealed from their entries as they stand.
``ledger_checkpoints.seq`` numbers each suite's checkpoints in the order of their sizes (the
order they were signed in), and ``ledger_state`` row ``cp:<suite>`` holds the newest number,
so a deleted checkpoint is a gap the audit reports.
"""

import hashlib
import struct

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _leaves(data: bytes, count: int) -> bytes:
    lengths = struct.unpack_from(f">{count}I", data)
    out, at = [], 4 * count
    for n in lengths:
        out.append(hashlib.sha256(b"\x00" + data[at : at + n]).digest())
        at += n
    return b"".join(out)


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("leaves", sa.LargeBinary(), nullable=True))
    entries = sa.table(
        "ledger_entries",
        sa.column("first_index", sa.BigInteger),
        sa.column("count", sa.Integer),
        sa.column("data", sa.LargeBinary),
        sa.column("leaves", sa.LargeBinary),
    )
    rows = conn.execute(sa.select(entries.c.first_index, entries.c.count, entries.c.data)).all()
    for first, count, data in rows:
        conn.execute(
            entries.update()
            .where(entries.c.first_index == first)
            .values(leaves=_leaves(bytes(data), int(count)))
        )
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("leaves", existing_type=sa.LargeBinary(), nullable=False)

    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
    checkpoints = sa.table(
        "ledger_checkpoints",
        sa.column("suite", sa.String),
        sa.column("size", sa.BigInteger),
        sa.column("seq", sa.BigInteger),
    )
    state = sa.table("ledger_state", sa.column("name", sa.String), sa.column("size", sa.BigInteger))
    counts: dict[str, int] = {}
    for suite, size in conn.execute(
        sa.select(checkpoints.c.suite, checkpoints.c.size).order_by(
            checkpoints.c.suite, checkpoints.c.size
        )
    ).all():
        counts[suite] = counts.get(suite, 0) + 1
        conn.execute(
            checkpoints.update()
            .where(checkpoints.c.suite == suite, checkpoints.c.size == size)
            .values(seq=counts[suite])
        )
    for suite, count in counts.items():
        conn.execute(state.insert().values(name=f"cp:{suite}", size=count))
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_ledger_checkpoints_seq", ["suite", "seq"])


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM ledger_state WHERE name LIKE 'cp:%'"))
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.drop_constraint("uq_ledger_checkpoints_seq", type_="unique")
        batch.drop_column("seq")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("leaves")
