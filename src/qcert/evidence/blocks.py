"""Readings stored a block at a time: the layout of the time-series store, without the store.

A block is one row of ``evidence_blocks``: up to :data:`BLOCK_READINGS` new readings of one
device from one batch, in seq order, as five packed columns (seqs, times, receive times, the
canonical texts joined by line breaks, the leaf hashes end to end) under a header that says
what they span (first and last seq, earliest and latest time, count). SQLite's B-tree then
does its per-row work once a block, not once a reading, which is most of what storing a
reading cost; the store's queries find a reading's block by the header, within two bounds
every block keeps:

- its readings lie in one cell of :data:`TIME_SPAN` and of the intake's window (so a block
  is never more than a minute wide, and a window's blocks are its own whole);
- its last seq is less than :data:`SEQ_SPAN` past its first.

So a reading taken at ``t`` is in a block that starts after ``t - TIME_SPAN``, and a
reading with seq ``s`` in one whose first seq is after ``s - SEQ_SPAN``: every look-up is
one bounded range of an index. A seq is stored once per device: the intake checks it under
the device's lock, and the primary key (device, first seq) refuses a second block starting
at the same one.

Pure: no I/O. Integers are packed as signed 64-bit little-endian.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import lt

__all__ = [
    "BLOCK_READINGS",
    "SEQ_SPAN",
    "TIME_SPAN",
    "Block",
    "cut",
    "ints",
    "pack",
    "split_texts",
]

BLOCK_READINGS = 1024  # readings a block holds at most
SEQ_SPAN = 1 << 16  # a block's last seq is less than this past its first
TIME_SPAN = 60_000_000  # µs: a block's readings lie in one whole minute (UTC)
_SWAP = sys.byteorder == "big"


def pack(values: Sequence[int]) -> bytes:
    """Integers as signed 64-bit little-endian."""
    packed = array("q", values)
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def ints(data: bytes | bytearray | memoryview) -> list[int]:
    """What :func:`pack` packed."""
    unpacked = array("q")
    unpacked.frombytes(data)
    if _SWAP:
        unpacked.byteswap()
    return unpacked.tolist()


def split_texts(bodies: str, count: int) -> list[str]:
    """A block's canonical texts (RFC 8785 escapes every control character, so no text holds
    a line break); ``count`` of them, or a ValueError when the column holds another number."""
    texts = bodies.split("\n") if count else []
    if len(texts) != count:
        raise ValueError(f"a block of {count} readings holds {len(texts)} texts")
    return texts


@dataclass(frozen=True)
class Block:
    """One stored block: its header and its packed columns, in the table's column order."""

    device_id: str
    first_seq: int
    last_seq: int
    start_us: int  # the earliest reading's time, µs since the epoch
    end_us: int  # the latest's (inclusive)
    count: int
    received: bytes  # packed: when each reading was received, µs
    seqs: bytes  # packed, ascending
    times: bytes  # packed, µs since the epoch
    bodies: str  # canonical texts joined by "\n"
    leaves: bytes  # 32 bytes a reading (RFC 9162 leaf hashes)

    def row(self) -> tuple[object, ...]:
        """The block as the table's row."""
        return (
            self.device_id,
            self.first_seq,
            self.last_seq,
            self.start_us,
            self.end_us,
            self.count,
            self.received,
            self.seqs,
            self.times,
            self.bodies,
            self.leaves,
        )


def cut(
    device: str,
    seqs: Sequence[int],
    times: Sequence[int],
    received: Sequence[int],
    texts: Sequence[str],
    leaves: Sequence[bytes],
    window: int,
) -> list[Block]:
    """The blocks of one device's new readings (each given by seq, time µs, receive time µs,
    canonical text and leaf hash; no seq twice), for an intake whose windows are ``window``
    µs long: grouped by cell (:data:`TIME_SPAN` and window boundaries both cut), each group
    in seq order and cut where it would pass :data:`BLOCK_READINGS` or :data:`SEQ_SPAN`."""
    n = len(seqs)
    if not n:
        return []
    cell = math.gcd(int(window), TIME_SPAN)  # every window and minute boundary is one
    if min(times) // cell == max(times) // cell and all(map(lt, seqs, seqs[1:])):
        # The usual batch: one cell, in seq order; its blocks are slices of it.
        return [
            _block(device, seqs[lo:hi], times[lo:hi], received[lo:hi], texts[lo:hi], leaves[lo:hi])
            for lo, hi in _chunks(seqs)
        ]
    by_cell: dict[int, list[int]] = {}
    for i, at in enumerate(times):
        by_cell.setdefault(at // cell, []).append(i)
    out = []
    for key in sorted(by_cell):
        members = sorted(by_cell[key], key=seqs.__getitem__)
        ordered = [seqs[i] for i in members]
        for lo, hi in _chunks(ordered):
            part = members[lo:hi]
            out.append(
                _block(
                    device,
                    ordered[lo:hi],
                    [times[i] for i in part],
                    [received[i] for i in part],
                    [texts[i] for i in part],
                    [leaves[i] for i in part],
                )
            )
    return out


def _chunks(ordered: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Where ascending seqs are cut into blocks: ``[lo, hi)`` of at most
    :data:`BLOCK_READINGS`, each spanning less than :data:`SEQ_SPAN`."""
    start, n = 0, len(ordered)
    while start < n:
        end = min(start + BLOCK_READINGS, n)
        if ordered[end - 1] - ordered[start] >= SEQ_SPAN:
            end = start + 1
            while end < n and ordered[end] - ordered[start] < SEQ_SPAN:
                end += 1
        yield start, end
        start = end


def _block(
    device: str,
    seqs: Sequence[int],
    times: Sequence[int],
    received: Sequence[int],
    texts: Sequence[str],
    leaves: Sequence[bytes],
) -> Block:
    return Block(
        device,
        seqs[0],
        seqs[-1],
        min(times),
        max(times),
        len(seqs),
        pack(received),
        pack(seqs),
        pack(times),
        "\n".join(texts),
        b"".join(leaves),
    )
