"""A window's Merkle tree and the proof that a reading is solidified: pure, no I/O.

The window tree is the ledger's own RFC 9162 tree (SHA-256): its leaves are the readings'
canonical bytes in sequence order. The chain a verifier checks, offline:

1. the reading's bytes hash to a leaf of its window's tree (RFC 9162 2.1.3.2 inclusion);
2. that tree's root is the one recorded in the window's ``evidence.window-anchored`` event,
   which names the same device, a time span holding the reading's time, a sequence range
   holding its seq and the tree's size;
3. that event is entry ``index`` of the ledger, included in a checkpoint signed by the log's
   keys (a tlog-proof bundle).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..ledger import SHA256, LedgerError, verify_proof
from ..ledger.proof import inclusion_ranges, verify_inclusion
from ..ledger.tree import largest_power_of_two_below

__all__ = [
    "FORMAT",
    "ProofInvalid",
    "VerifiedReading",
    "leaf_hash",
    "packed_window_root",
    "verify_reading_proof",
    "window_inclusion",
    "window_root",
]

FORMAT = "qcert-evidence-proof/v1"


def leaf_hash(reading: bytes) -> bytes:
    """The RFC 9162 leaf hash (SHA-256 of 0x00 and the bytes) of a reading's canonical bytes."""
    return SHA256.leaf_hash(reading)


def _root(leaves: Sequence[bytes], begin: int, end: int) -> bytes:
    """RFC 9162 2.1.1 MTH of leaf hashes ``[begin, end)`` (non-empty)."""
    if end - begin == 1:
        return leaves[begin]
    k = largest_power_of_two_below(end - begin)
    return SHA256.node_hash(_root(leaves, begin, begin + k), _root(leaves, begin + k, end))


def window_root(leaves: Sequence[bytes]) -> bytes:
    """The root of a window's tree over its leaf hashes (in sequence order).

    Computed a level at a time, bottom up: adjacent pairs are hashed and an odd last node is
    carried up unchanged. That is RFC 9162 2.1.1's MTH (the left subtree is always the largest
    power of two, so the right edge is the only place a node lacks its sibling), in one pass
    per level instead of a call per node: a window holds hundreds of thousands of readings."""
    if not leaves:
        return SHA256.empty_root()
    sha256 = hashlib.sha256
    level = list(leaves)
    while len(level) > 1:
        up = [
            sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            up.append(level[-1])
        level = up
    return level[0]


def packed_window_root(packed: bytes | bytearray) -> bytes:
    """:func:`window_root` of leaf hashes packed end to end (32 bytes each): the first level
    hashes each adjacent pair as it lies in the buffer, one slice a node."""
    data = bytes(packed)
    count = len(data) // 32
    if count < 2:
        return data if count else SHA256.empty_root()
    sha256 = hashlib.sha256
    up = [sha256(b"\x01" + data[i : i + 64]).digest() for i in range(0, 64 * (count // 2), 64)]
    if count % 2:
        up.append(data[-32:])
    return window_root(up)


def window_inclusion(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the window's tree (RFC 9162 2.1.3.1)."""
    return [_root(leaves, b, e) for b, e in inclusion_ranges(index, len(leaves))]


class ProofInvalid(Exception):
    """A reading's proof does not hold; the message says which link of the chain broke."""


@dataclass(frozen=True)
class VerifiedReading:
    """What a verified proof established: this reading, in this window, anchored at ledger
    entry ``index`` under a checkpoint of ``size`` signed by ``signed_by``."""

    device: str
    seq: int
    time: str
    window_start: str
    window_end: str
    index: int
    size: int
    signed_by: tuple[str, ...]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def verify_reading_proof(doc: dict[str, Any], vkeys: Sequence[str]) -> VerifiedReading:
    """Check a reading's proof document (``qcert evidence proof``'s output) against the log's
    verifier keys ``vkeys``; ProofInvalid naming the link that fails."""
    try:
        if doc.get("format") != FORMAT:
            raise ProofInvalid(f"format: not {FORMAT}")
        reading_bytes = str(doc["reading"]).encode()
        reading = json.loads(reading_bytes)
        window = doc["window"]
        hashes = [bytes.fromhex(h) for h in window["hashes"]]
        entry = base64.b64decode(doc["entry"], validate=True)
        event = json.loads(entry)
        data = event["data"]
        if event.get("type") != "evidence.window-anchored":
            raise ProofInvalid("entry: not an evidence.window-anchored event")
        if data["device_id"] != reading["device"]:
            raise ProofInvalid("entry: the window is another device's")
        if not _instant(data["start"]) <= _instant(reading["time"]) < _instant(data["end"]):
            raise ProofInvalid("entry: the reading's time lies outside the window")
        if not data["first_seq"] <= reading["seq"] <= data["last_seq"]:
            raise ProofInvalid("entry: the reading's seq lies outside the window's range")
        index, size = int(window["index"]), int(data["count"])
        verify_inclusion(
            SHA256, index, size, leaf_hash(reading_bytes), hashes, bytes.fromhex(data["root"])
        )
        verified = verify_proof(doc["bundle"], entry, list(vkeys))
    except ProofInvalid:
        raise
    except LedgerError as err:
        raise ProofInvalid(f"{type(err).__name__}: {err}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise ProofInvalid(f"malformed proof: {type(err).__name__}: {err}") from None
    return VerifiedReading(
        reading["device"],
        reading["seq"],
        reading["time"],
        data["start"],
        data["end"],
        verified.index,
        verified.checkpoint.size,
        verified.signed_by,
    )
