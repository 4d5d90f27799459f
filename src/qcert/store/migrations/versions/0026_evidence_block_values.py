"""A block of usual readings keeps their values, not their canonical texts.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

A reading's canonical text (RFC 8785) took about 240 bytes of the store, most of it the
spelling of its values and names; the values themselves take 8 bytes each. A block of usual
readings (no quality, the same variables in every one) now keeps the variables' names once
and the values as a table of binary64, and its texts are written again when read
(``qcert.evidence.blocks.texts_of``). Blocks stored before keep their texts, and are read as
they are. The downgrade writes the texts of every block that keeps values (with the reference
``rfc8785`` writer, as the intake's own writer matches it) and drops the two columns.
"""

import sys
from array import array
from datetime import UTC, datetime, timedelta

import rfc8785
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_PAGE = 100  # blocks read at a time
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("evidence_blocks") as batch:
        batch.add_column(sa.Column("variables", sa.Text, nullable=True))
        batch.add_column(sa.Column("value_table", sa.LargeBinary, nullable=True))


def _ints(data: bytes) -> list[int]:
    unpacked = array("q")
    unpacked.frombytes(bytes(data))
    if sys.byteorder == "big":
        unpacked.byteswap()
    return unpacked.tolist()


def _floats(data: bytes) -> list[float]:
    unpacked = array("d")
    unpacked.frombytes(bytes(data))
    if sys.byteorder == "big":
        unpacked.byteswap()
    return unpacked.tolist()


def _text(device_id: str, seq: int, time_us: int, values: dict[str, float]) -> str:
    at = (_EPOCH + timedelta(microseconds=time_us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    doc = {"device": device_id, "seq": seq, "time": at, "values": values}
    return rfc8785.dumps(doc).decode()


def downgrade() -> None:
    conn = op.get_bind()
    columns = ("device_id", "first_seq", "count", "seqs", "times", "bodies")
    b = sa.table("evidence_blocks", *[sa.column(c) for c in (*columns, "variables", "value_table")])
    c = b.c
    after: tuple[str, int] = ("", -1)
    while True:
        page = conn.execute(
            sa.select(
                c.device_id, c.first_seq, c.count, c.seqs, c.times, c.variables, c.value_table
            )
            .where(
                c.variables.is_not(None),
                sa.or_(
                    c.device_id > after[0],
                    sa.and_(c.device_id == after[0], c.first_seq > after[1]),
                ),
            )
            .order_by(c.device_id, c.first_seq)
            .limit(_PAGE)
        ).all()
        for device_id, first_seq, count, seqs, times, variables, table in page:
            names = variables.split(",")
            values, k = _floats(table), len(names)
            texts = [
                _text(device_id, seq, at, dict(zip(names, values[i * k : i * k + k], strict=True)))
                for i, (seq, at) in enumerate(zip(_ints(seqs), _ints(times), strict=True))
            ]
            assert len(texts) == count
            conn.execute(
                b.update()
                .where(c.device_id == device_id, c.first_seq == first_seq)
                .values(bodies="\n".join(texts), variables=None, value_table=None)
            )
        if len(page) < _PAGE:
            break
        after = (page[-1][0], int(page[-1][1]))
    with op.batch_alter_table("evidence_blocks") as batch:
        batch.drop_column("value_table")
        batch.drop_column("variables")
