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
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
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
    """The root of a window's tree over its leaf hashes (in sequence order)."""
    return packed_window_root(b"".join(leaves))


# A node's input as RFC 9162 2.1.1 hashes it: 0x01, then its two children's hashes.
_NODE = struct.Struct("65s")


def _level_up(packed: bytes) -> bytes:
    """The level above one of 32-byte hashes packed end to end: each adjacent pair hashed as
    a node, an odd last one carried up unchanged. The nodes' inputs are laid out at once
    (one array copy) and read back one bytes object each by ``struct``: no slice and no
    concatenation a node, which cost more than hashing it."""
    # Here, not at the top: a proof is verified (:func:`verify_reading_proof`) without it.
    import numpy as np

    pairs = len(packed) // 64
    nodes = np.empty((pairs, 65), np.uint8)
    nodes[:, 0] = 1
    nodes[:, 1:] = np.frombuffer(packed, np.uint8, count=64 * pairs).reshape(pairs, 64)
    up = b"".join([sha256(node).digest() for (node,) in _NODE.iter_unpack(nodes.tobytes())])
    return up + packed[64 * pairs :]


def packed_window_root(packed: bytes | bytearray) -> bytes:
    """The root of a window's tree over its leaf hashes packed end to end (32 bytes each, in
    sequence order).

    Computed a level at a time, bottom up: adjacent pairs are hashed and an odd last node is
    carried up unchanged. That is RFC 9162 2.1.1's MTH (the left subtree is always the largest
    power of two, so the right edge is the only place a node lacks its sibling), in one pass
    per level instead of a call per node: a window holds hundreds of thousands of readings."""
    data = bytes(packed)
    if not data:
        return SHA256.empty_root()
    while len(data) > 32:
        data = _level_up(data)
    return data


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
