"""The window tree is the ledger's RFC 9162 tree: its root and audit paths agree with the
ledger's own reference, for every size and leaf."""

from __future__ import annotations

import pytest

from qcert.evidence.window import leaf_hash, packed_window_root, window_inclusion, window_root
from qcert.ledger import SHA256
from qcert.ledger.proof import root_from_inclusion


def _reference_root(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return SHA256.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100])
def test_roots_and_paths_agree_with_rfc9162(size):
    leaves = [leaf_hash(f"reading {i}".encode()) for i in range(size)]
    root = window_root(leaves)
    assert root == _reference_root(leaves)
    for i in range(size):
        path = window_inclusion(leaves, i)
        assert root_from_inclusion(SHA256, i, size, leaves[i], path) == root


def test_the_level_by_level_root_is_rfc9162s_for_every_size_up_to_600_and_beyond():
    leaves = [leaf_hash(f"reading {i}".encode()) for i in range(4100)]
    for size in [*range(1, 601), 1023, 1024, 1025, 2047, 4097, 4100]:
        assert window_root(leaves[:size]) == _reference_root(leaves[:size]), size


def test_the_root_of_packed_leaves_is_the_root_of_the_leaves():
    # what anchoring computes from the leaves an intake holds, packed end to end
    leaves = [leaf_hash(f"reading {i}".encode()) for i in range(1100)]
    for size in [*range(0, 130), 1023, 1024, 1025, 1100]:
        packed = bytearray(b"".join(leaves[:size]))
        expected = _reference_root(leaves[:size]) if size else SHA256.empty_root()
        assert packed_window_root(packed) == expected, size


def test_an_empty_window_has_the_empty_root():
    assert window_root([]) == SHA256.empty_root()
