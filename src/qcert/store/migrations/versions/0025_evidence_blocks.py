"""Readings are stored a block at a time: up to 1,024 readings of one device a row.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06

One row a reading cost the intake most of its time: SQLite's B-tree work for the row and its
two index entries. A block (``qcert.evidence.blocks``) holds one device's readings of one
minute, in seq order, packed under a header of what they span (first and last seq, earliest
and latest time, count). The stored readings move into blocks unchanged (their canonical
bytes, leaf hashes and receive times), a minute of a device at a time; ``qcert ledger audit``
recomputes every anchored window from them as before. The downgrade unpacks them again.
"""

import sys
from array import array

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_BLOCK = 1024  # readings a block holds at most
_SEQ_SPAN = 1 << 16  # a block's last seq is less than this past its first
_MINUTE = 60_000_000  # µs
_PAGE = 50_000  # readings read at a time
_COLUMNS = (
    "device_id",
    "first_seq",
    "last_seq",
    "start_us",
    "end_us",
    "count",
    "received",
    "seqs",
    "times",
    "bodies",
    "leaves",
)


def _pack(values: list[int]) -> bytes:
    packed = array("q", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> list[int]:
    unpacked = array("q")
    unpacked.frombytes(bytes(data))
    if sys.byteorder == "big":
        unpacked.byteswap()
    return unpacked.tolist()


def _blocks(device_id: str, rows: list[tuple[int, int, int, str, bytes]]) -> list[dict]:
    """One minute's readings of a device (seq, time, received, body, leaf) as blocks."""
    rows = sorted(rows)
    out, start = [], 0
    while start < len(rows):
        end = start + 1
        while (
            end < len(rows) and end - start < _BLOCK and rows[end][0] - rows[start][0] < _SEQ_SPAN
        ):
            end += 1
        part = rows[start:end]
        times = [r[1] for r in part]
        out.append(
            {
                "device_id": device_id,
                "first_seq": part[0][0],
                "last_seq": part[-1][0],
                "start_us": min(times),
                "end_us": max(times),
                "count": len(part),
                "received": _pack([r[2] for r in part]),
                "seqs": _pack([r[0] for r in part]),
                "times": _pack(times),
                "bodies": "\n".join(r[3] for r in part),
                "leaves": b"".join(bytes(r[4]) for r in part),
            }
        )
        start = end
    return out


def upgrade() -> None:
    op.create_table(
        "evidence_blocks",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("first_seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("received", sa.LargeBinary, nullable=False),
        sa.Column("seqs", sa.LargeBinary, nullable=False),
        sa.Column("times", sa.LargeBinary, nullable=False),
        sa.Column("bodies", sa.Text, nullable=False),
        sa.Column("leaves", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_evidence_blocks_device_start", "evidence_blocks", ["device_id", "start_us"])
    op.create_index("ix_evidence_blocks_device_end", "evidence_blocks", ["device_id", "end_us"])
    conn = op.get_bind()
    blocks = sa.table("evidence_blocks", *[sa.column(c) for c in _COLUMNS])
    readings = sa.table(
        "evidence_readings",
        *[sa.column(c) for c in ("device_id", "seq", "time_us", "received_us", "body", "leaf")],
    )
    r = readings.c
    devices = conn.execute(sa.select(r.device_id).distinct()).scalars().all()
    for device_id in sorted(devices):
        # A device's readings a page at a time, in time order (then seq), a minute in a cell.
        cell, held, out = -1, [], []
        after: tuple[int, int] | None = None
        while True:
            query = sa.select(r.seq, r.time_us, r.received_us, r.body, r.leaf).where(
                r.device_id == device_id
            )
            if after is not None:
                query = query.where(
                    sa.or_(r.time_us > after[0], sa.and_(r.time_us == after[0], r.seq > after[1]))
                )
            page = conn.execute(query.order_by(r.time_us, r.seq).limit(_PAGE)).all()
            for seq, time_us, received_us, body, leaf in page:
                if int(time_us) // _MINUTE != cell and held:
                    out += _blocks(device_id, held)
                    held = []
                cell = int(time_us) // _MINUTE
                held.append((int(seq), int(time_us), int(received_us), body, leaf))
            if out:
                conn.execute(blocks.insert(), out)
                out = []
            if len(page) < _PAGE:
                break
            after = (int(page[-1][1]), int(page[-1][0]))
        if held:
            conn.execute(blocks.insert(), _blocks(device_id, held))
    op.drop_index("ix_evidence_readings_device_time", table_name="evidence_readings")
    op.drop_table("evidence_readings")


def downgrade() -> None:
    op.create_table(
        "evidence_readings",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("received_us", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("leaf", sa.LargeBinary(32), nullable=False),
    )
    op.create_index(
        "ix_evidence_readings_device_time",
        "evidence_readings",
        ["device_id", "time_us", "seq"],
    )
    conn = op.get_bind()
    readings = sa.table(
        "evidence_readings",
        *[sa.column(c) for c in ("device_id", "seq", "time_us", "received_us", "body", "leaf")],
    )
    b = sa.table("evidence_blocks", *[sa.column(c) for c in _COLUMNS]).c
    for device_id in sorted(conn.execute(sa.select(b.device_id).distinct()).scalars().all()):
        after = -1
        while True:
            page = conn.execute(
                sa.select(b.first_seq, b.count, b.received, b.seqs, b.times, b.bodies, b.leaves)
                .where(b.device_id == device_id, b.first_seq > after)
                .order_by(b.first_seq)
                .limit(100)
            ).all()
            rows: list[dict] = []
            for _, count, received, seqs, times, bodies, leaves in page:
                texts = bodies.split("\n") if count else []
                for i, (seq, at, got) in enumerate(
                    zip(_unpack(seqs), _unpack(times), _unpack(received), strict=True)
                ):
                    rows.append(
                        {
                            "device_id": device_id,
                            "seq": seq,
                            "time_us": at,
                            "received_us": got,
                            "body": texts[i],
                            "leaf": bytes(leaves[32 * i : 32 * i + 32]),
                        }
                    )
            if rows:
                conn.execute(readings.insert(), rows)
            if len(page) < 100:
                break
            after = int(page[-1][0])
    op.drop_index("ix_evidence_blocks_device_end", table_name="evidence_blocks")
    op.drop_index("ix_evidence_blocks_device_start", table_name="evidence_blocks")
    op.drop_table("evidence_blocks")
