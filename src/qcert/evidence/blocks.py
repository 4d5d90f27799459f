"""Readings stored a block at a time: the layout of the time-series store, without the store.

A block is one row of ``evidence_blocks``: up to :data:`BLOCK_READINGS` new readings of one
device from one batch, in seq order, as packed columns (seqs, times, receive times, the leaf
hashes end to end, and what the readings said) under a header that says what they span
(first and last seq, earliest and latest time, count). SQLite's B-tree then does its per-row
work once a block, not once a reading, which is most of what storing a reading cost; the
store's queries find a reading's block by the header, within two bounds every block keeps:

- its readings lie in one cell of :data:`TIME_SPAN` and of the intake's window (so a block
  is never more than a minute wide, and a window's blocks are its own whole);
- its last seq is less than :data:`SEQ_SPAN` past its first.

So a reading taken at ``t`` is in a block that starts after ``t - TIME_SPAN``, and a
reading with seq ``s`` in one whose first seq is after ``s - SEQ_SPAN``: every look-up is
one bounded range of an index. A seq is stored once per device: the intake checks it under
the device's lock, and the primary key (device, first seq) refuses a second block starting
at the same one.

What the readings said is kept in one of two ways. The usual readings (no quality, the same
variables in every one) keep their values: the variables' names once, and the values as a
table of 64-bit floats, row by row, 8 bytes a value where the canonical text takes about 40.
Each reading's canonical text (RFC 8785), the bytes its leaf hash commits to, is written
again from them when read (:func:`texts_of`, by :func:`qcert.evidence.payload.canonical_rows`,
which writes the same bytes the intake hashed: RFC 8785 has one spelling of each value), and
``qcert ledger audit`` hashes what is written again against the anchored roots. Any other
block keeps the texts themselves, joined by line breaks.

Pure: no I/O. Integers are packed as signed 64-bit little-endian, floats as IEEE 754
binary64 little-endian.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import lt
from typing import Any

from .payload import canonical_rows

__all__ = [
    "BLOCK_READINGS",
    "SEQ_SPAN",
    "TIME_SPAN",
    "Block",
    "cut",
    "floats",
    "ints",
    "pack",
    "pack_floats",
    "split_texts",
    "texts_of",
    "values_of",
]

BLOCK_READINGS = 1024  # readings a block holds at most
SEQ_SPAN = 1 << 16  # a block's last seq is less than this past its first
TIME_SPAN = 60_000_000  # µs: a block's readings lie in one whole minute (UTC)
_SWAP = sys.byteorder == "big"


def _packed(code: str, values: Sequence[Any]) -> bytes:
    packed = values if isinstance(values, array) and values.typecode == code else None
    if packed is None or _SWAP:
        packed = array(code, values)  # a copy: the caller's array is not swapped
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def _unpacked(code: str, data: bytes | bytearray | memoryview) -> array[Any]:
    unpacked = array(code)
    unpacked.frombytes(data)
    if _SWAP:
        unpacked.byteswap()
    return unpacked


def pack(values: Sequence[int]) -> bytes:
    """Integers as signed 64-bit little-endian."""
    return _packed("q", values)


def ints(data: bytes | bytearray | memoryview) -> list[int]:
    """What :func:`pack` packed."""
    return _unpacked("q", data).tolist()


def pack_floats(values: Sequence[float]) -> bytes:
    """Floats as IEEE 754 binary64 little-endian."""
    return _packed("d", values)


def floats(data: bytes | bytearray | memoryview) -> array[float]:
    """What :func:`pack_floats` packed."""
    return _unpacked("d", data)


def split_texts(bodies: str, count: int) -> list[str]:
    """A block's canonical texts (RFC 8785 escapes every control character, so no text holds
    a line break); ``count`` of them, or a ValueError when the column holds another number."""
    texts = bodies.split("\n") if count else []
    if len(texts) != count:
        raise ValueError(f"a block of {count} readings holds {len(texts)} texts")
    return texts


def _names(variables: str) -> tuple[str, ...]:
    return tuple(variables.split(","))


def texts_of(
    device_id: str,
    count: int,
    seqs: Sequence[int],
    times: Sequence[int],
    bodies: str,
    variables: str | None,
    table: bytes | bytearray | memoryview | None,
) -> list[str]:
    """A block's canonical texts, in its order: those it holds, or those of its values
    written again (``seqs`` and ``times`` unpacked); a ValueError when its columns do not hold
    ``count`` readings."""
    if variables is None:
        return split_texts(bodies, count)
    values = _table(count, variables, table)
    if len(seqs) != count or len(times) != count:
        raise ValueError(f"a block of {count} readings holds {len(seqs)} seqs")
    return canonical_rows(device_id, seqs, times, _names(variables), values)


def values_of(
    count: int,
    variables: str | None,
    table: bytes | bytearray | memoryview | None,
    wanted: Sequence[str],
) -> list[tuple[float, ...]] | None:
    """Each reading's values of ``wanted`` (NaN for a variable the block does not have), in
    the block's order, read from its table; None for a block that keeps texts (its values
    are in them)."""
    if variables is None:
        return None
    names = _names(variables)
    values = _table(count, variables, table)
    k = len(names)
    columns = [values[names.index(v) :: k] if v in names else [math.nan] * count for v in wanted]
    return list(zip(*columns, strict=True)) if columns else [()] * count


def _table(count: int, variables: str, table: Any) -> array[float]:
    values = floats(table if table is not None else b"")
    if len(values) != count * len(_names(variables)):
        raise ValueError(
            f"a block of {count} readings of {len(_names(variables))} variables holds "
            f"{len(values)} values"
        )
    return values


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
    bodies: str  # canonical texts joined by "\n"; "" where the block keeps its values
    leaves: bytes  # 32 bytes a reading (RFC 9162 leaf hashes)
    # Where the block keeps its values: the variables' names (comma-joined: a name holds no
    # comma) and each reading's values under them, binary64 LE, row by row; else None.
    variables: str | None = None
    table: bytes | None = None

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
            self.variables,
            self.table,
        )


# The values of a batch's usual readings of one device: the variables' names (in the order
# sent), and each reading's values under them, row by row.
Values = tuple[tuple[str, ...], "array[float]"]


def cut(
    device: str,
    seqs: Sequence[int],
    times: Sequence[int],
    received: Sequence[int],
    texts: Sequence[str],
    leaves: Sequence[bytes],
    window: int,
    values: Values | None = None,
) -> list[Block]:
    """The blocks of one device's new readings (each given by seq, time µs, receive time µs,
    canonical text and leaf hash; no seq twice), for an intake whose windows are ``window``
    µs long: grouped by cell (:data:`TIME_SPAN` and window boundaries both cut), each group
    in seq order and cut where it would pass :data:`BLOCK_READINGS` or :data:`SEQ_SPAN`.

    With ``values`` (readings whose texts :func:`qcert.evidence.payload.canonical_rows`
    writes from them), the blocks keep those instead of the texts, which are not read."""
    n = len(seqs)
    if not n:
        return []
    if values is not None and any("," in name for name in values[0]):
        raise ValueError("a variable's name holds a comma")
    k = len(values[0]) if values is not None else 0
    cell = math.gcd(int(window), TIME_SPAN)  # every window and minute boundary is one
    if min(times) // cell == max(times) // cell and all(map(lt, seqs, seqs[1:])):
        # The usual batch: one cell, in seq order; its blocks are slices of it.
        return [
            _block(
                device,
                seqs[lo:hi],
                times[lo:hi],
                received[lo:hi],
                leaves[lo:hi],
                texts[lo:hi] if values is None else values[1][lo * k : hi * k],
                values and values[0],
            )
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
            said: Sequence[str] | array[float]
            if values is None:
                said = [texts[i] for i in part]
            else:
                said = array("d")
                for i in part:
                    said += values[1][i * k : i * k + k]
            out.append(
                _block(
                    device,
                    ordered[lo:hi],
                    [times[i] for i in part],
                    [received[i] for i in part],
                    [leaves[i] for i in part],
                    said,
                    values and values[0],
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
    leaves: Sequence[bytes],
    said: Any,
    names: tuple[str, ...] | None,
) -> Block:
    """A block of readings in seq order; ``said`` their texts, or with ``names`` their values
    row by row."""
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
        "" if names is not None else "\n".join(said),
        b"".join(leaves),
        None if names is None else ",".join(names),
        None if names is None else pack_floats(said),
    )
