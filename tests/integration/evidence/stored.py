"""The readings the store holds, unpacked from its blocks, and a way to rewrite them as
someone writing around the intake would (with block headers that say what they hold)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import sqlalchemy as sa

from qcert.evidence.blocks import cut, ints, texts_of
from qcert.store import blocks as blocks_sql
from qcert.store import tables as t


class Stored(NamedTuple):
    device_id: str
    seq: int
    time_us: int
    received_us: int
    body: str
    leaf: bytes


def stored(engine: Any, device_id: str | None = None) -> list[Stored]:
    """Every stored reading (of ``device_id``, when given), by device and seq."""
    b = t.evidence_blocks.c
    query = sa.select(
        b.device_id,
        b.count,
        b.seqs,
        b.times,
        b.received,
        b.leaves,
        b.bodies,
        b.variables,
        b.value_table,
    )
    if device_id is not None:
        query = query.where(b.device_id == device_id)
    out = []
    with engine.connect() as conn:
        for device, count, seqs, times, received, leaves, *said in conn.execute(query):
            numbers, taken = ints(seqs), ints(times)
            texts = texts_of(device, count, numbers, taken, *said)
            held = zip(numbers, taken, ints(received), texts, strict=True)
            for i, (seq, at, got, body) in enumerate(held):
                out.append(Stored(device, seq, at, got, body, bytes(leaves[32 * i : 32 * i + 32])))
    return sorted(out, key=lambda r: (r.device_id, r.seq))


def count(engine: Any) -> int:
    """How many readings the store holds."""
    return len(stored(engine))


def rewrite(
    engine: Any,
    change: Callable[[list[Stored]], list[Stored]],
    split: Callable[[list[Stored]], list[list[Stored]]] = lambda rows: [rows],
) -> None:
    """Replace every stored reading by ``change`` of them, in blocks of a minute; ``split``
    says which of a device's readings are cut into blocks together (as one batch is)."""
    readings = change(stored(engine))
    with engine.begin() as conn:
        conn.execute(t.evidence_blocks.delete())
        for device_id in sorted({r.device_id for r in readings}):
            for mine in split([r for r in readings if r.device_id == device_id]):
                blocks_sql.insert(
                    conn,
                    cut(
                        device_id,
                        [r.seq for r in mine],
                        [r.time_us for r in mine],
                        [r.received_us for r in mine],
                        [r.body for r in mine],
                        [r.leaf for r in mine],
                        60_000_000,
                    ),
                )
