"""Hash suites for the Merkle tree of RFC 9162 section 2.1.

A suite hashes leaves as ``H(0x00 || entry)`` and interior nodes as
``H(0x01 || left || right)``. qcert keeps two parallel logs over the same
entries: one with SHA-256 and one with SM3 (GB/T 32905-2016).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["SHA256", "SM3", "SUITES", "HashSuite", "suite_by_name"]

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def _openssl_hash(name: str) -> Callable[[bytes], bytes]:
    # hashlib.new(name) looks the digest up on every call; copying a ready
    # context is about a third faster, which matters when hashing every leaf.
    base = hashlib.new(name)

    def digest(data: bytes) -> bytes:
        ctx = base.copy()
        ctx.update(data)
        return ctx.digest()

    return digest


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class HashSuite:
    """A hash function used as the RFC 9162 tree hash.

    ``name`` is the suite's stable identifier (stored in the database and
    printed in bundles); ``origin_suffix`` is appended to the log's origin so
    checkpoints of two suites can never be mistaken for each other.
    """

    name: str
    origin_suffix: str
    digest: Callable[[bytes], bytes] = field(repr=False)
    size: int = 32

    def hash(self, data: bytes) -> bytes:
        """Plain digest of ``data`` (32 bytes)."""
        return self.digest(data)

    def leaf_hash(self, entry: bytes) -> bytes:
        """RFC 9162 2.1.1: ``H(0x00 || entry)``."""
        return self.digest(_LEAF_PREFIX + entry)

    def node_hash(self, left: bytes, right: bytes) -> bytes:
        """RFC 9162 2.1.1: ``H(0x01 || left || right)``."""
        return self.digest(_NODE_PREFIX + left + right)

    def empty_root(self) -> bytes:
        """Root of the empty tree: the hash of the empty string."""
        return self.digest(b"")

    def leaf_hashes(self, entries: Iterable[bytes]) -> list[bytes]:
        """Leaf hashes of many entries, in order."""
        digest = self.digest
        return [digest(_LEAF_PREFIX + e) for e in entries]

    def perfect_levels(self, row: bytes) -> bytes:
        """Every interior node of a perfect subtree, given its bottom row.

        ``row`` holds a power-of-two number of hashes, left to right. Returns the
        rows above it, concatenated bottom up, ending with the root (empty when
        ``row`` is a single hash). Adjacent pairs are contiguous, so each parent
        is one slice away.
        """
        digest = self.digest
        pair = 2 * self.size
        rows = []
        while len(row) > self.size:
            row = b"".join(
                digest(_NODE_PREFIX + row[i : i + pair]) for i in range(0, len(row), pair)
            )
            rows.append(row)
        return b"".join(rows)

    def perfect_root(self, row: bytes) -> bytes:
        """Root of a perfect subtree given its bottom row as concatenated hashes."""
        return self.perfect_levels(row)[-self.size :] if len(row) > self.size else row


SHA256 = HashSuite("sha256", "", _sha256)
SM3 = HashSuite("sm3", "/sm3", _openssl_hash("sm3"))
SUITES: dict[str, HashSuite] = {s.name: s for s in (SHA256, SM3)}


def suite_by_name(name: str) -> HashSuite:
    """The suite called ``name`` ("sha256" or "sm3")."""
    try:
        return SUITES[name]
    except KeyError:
        from .errors import LedgerError

        raise LedgerError(
            f"unknown hash suite {name!r}; expected one of {sorted(SUITES)}"
        ) from None
