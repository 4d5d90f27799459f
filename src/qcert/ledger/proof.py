"""Inclusion and consistency proofs, RFC 9162 sections 2.1.3 and 2.1.4.

Proof *generation* only says which leaf ranges the proof is made of (each
element is the hash of one range); storage turns ranges into hashes. Proof
*verification* is pure and needs only hashes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import IndexOutOfRange, ProofError, RootMismatch
from .hashing import HashSuite
from .tree import largest_power_of_two_below

__all__ = [
    "consistency_ranges",
    "inclusion_ranges",
    "root_from_inclusion",
    "verify_consistency",
    "verify_inclusion",
]

Range = tuple[int, int]


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges whose hashes form the audit path of leaf ``index`` in a tree of ``size``.

    RFC 9162 2.1.3.1 (PATH), from the leaf up.
    """
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not in a tree of size {size}")
    path: list[Range] = []
    begin, end = 0, size
    while end - begin > 1:
        k = largest_power_of_two_below(end - begin)
        if index < begin + k:
            path.append((begin + k, end))
            end = begin + k
        else:
            path.append((begin, begin + k))
            begin += k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[Range]:
    """Leaf ranges whose hashes prove a tree of ``new`` leaves extends one of ``old``.

    RFC 9162 2.1.4.1 (SUBPROOF with b = true); empty when ``old`` equals ``new``.
    """
    if not 0 < old <= new:
        raise IndexOutOfRange(f"cannot prove consistency from size {old} to size {new}")
    if old == new:
        return []
    proof: list[Range] = []
    begin, end, whole = 0, new, True
    m = old
    while m != end - begin:
        k = largest_power_of_two_below(end - begin)
        if m <= k:
            proof.append((begin + k, end))
            end = begin + k
        else:
            proof.append((begin, begin + k))
            begin, m, whole = begin + k, m - k, False
    if not whole:
        proof.append((begin, end))
    proof.reverse()
    return proof


def _check_lengths(suite: HashSuite, what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != suite.size:
            raise ProofError(f"{what} {i} is {len(h)} bytes, a {suite.name} hash is {suite.size}")


def root_from_inclusion(
    suite: HashSuite, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root implied by an audit path (RFC 9162 2.1.3.2 steps 1-6)."""
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not in a tree of size {size}")
    _check_lengths(suite, "leaf hash", [leaf_hash])
    _check_lengths(suite, "inclusion proof hash", proof)
    want = len(inclusion_ranges(index, size))
    if len(proof) != want:
        raise ProofError(
            f"inclusion proof for index {index} in size {size} "
            f"has {len(proof)} hashes, needs {want}"
        )
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = suite.node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = suite.node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    return r


def verify_inclusion(
    suite: HashSuite,
    index: int,
    size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root: bytes,
) -> None:
    """Raise unless ``proof`` shows ``leaf_hash`` at ``index`` under ``root`` (RFC 9162 2.1.3.2)."""
    calculated = root_from_inclusion(suite, index, size, leaf_hash, proof)
    if calculated != root:
        raise RootMismatch(f"inclusion of leaf {index} in size {size}", root, calculated)


def verify_consistency(
    suite: HashSuite,
    old: int,
    new: int,
    proof: Sequence[bytes],
    old_root: bytes,
    new_root: bytes,
) -> None:
    """Raise unless ``proof`` shows the tree at ``new`` extends the one at ``old``.

    RFC 9162 2.1.4.2. As in transparency-dev/merkle, a proof from size 0 is
    refused: it would prove nothing.
    """
    if not 0 <= old <= new:
        raise IndexOutOfRange(f"cannot prove consistency from size {old} to size {new}")
    if old == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old == new:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise RootMismatch(f"consistency of size {old} with itself", old_root, new_root)
        return
    _check_lengths(suite, "root", [old_root, new_root])
    _check_lengths(suite, "consistency proof hash", proof)
    want = len(consistency_ranges(old, new))
    if len(proof) != want:
        raise ProofError(
            f"consistency proof from {old} to {new} has {len(proof)} hashes, needs {want}"
        )
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = suite.node_hash(c, fr)
            sr = suite.node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = suite.node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if fr != old_root:
        raise RootMismatch(f"consistency from {old} (old root)", old_root, fr)
    if sr != new_root:
        raise RootMismatch(f"consistency to {new} (new root)", new_root, sr)
