"""Shapes of the RFC 9162 Merkle tree, with no hashing of stored data and no I/O.

A *perfect node* ``(level, index)`` is the root of the perfect subtree over
leaves ``[index * 2**level, (index + 1) * 2**level)``. Every hash a proof or
root needs is the root of a range of leaves, and every such range is a short
list of perfect nodes folded from the right: storage only ever serves perfect
nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .hashing import HashSuite

__all__ = ["NodeId", "fold", "largest_power_of_two_below", "perfect_nodes", "range_nodes"]

NodeId = tuple[int, int]


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (RFC 9162's ``k``); ``n >= 2``."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_nodes(begin: int, end: int) -> list[NodeId]:
    """Split leaves ``[begin, end)`` into maximal aligned perfect subtrees, left to right."""
    nodes: list[NodeId] = []
    while begin < end:
        # The largest power of two that both divides `begin` and fits in the range.
        level = (begin & -begin).bit_length() - 1 if begin else (end - begin).bit_length() - 1
        while (1 << level) > end - begin:
            level -= 1
        nodes.append((level, begin >> level))
        begin += 1 << level
    return nodes


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """Perfect nodes whose right fold is the RFC 9162 hash of leaves ``[begin, end)``.

    Valid for the ranges RFC 9162 builds by splitting at the largest power of two
    (the whole tree and every proof element): their perfect parts shrink left to right.
    """
    nodes = perfect_nodes(begin, end)
    for (a, _), (b, _) in pairwise(nodes):
        if b >= a:
            raise ValueError(f"[{begin}, {end}) is not a range of the RFC 9162 tree")
    return nodes


def fold(suite: HashSuite, hashes: Sequence[bytes]) -> bytes:
    """Fold perfect-subtree roots from the right into the root of their range."""
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = suite.node_hash(h, root)
    return root
