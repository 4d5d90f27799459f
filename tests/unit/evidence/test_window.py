"""The window tree is the ledger's RFC 9162 tree: its root and audit paths agree with the
ledger's own reference, for every size and leaf."""

from __future__ import annotations

import pytest

from qcert.evidence.window import leaf_hash, window_inclusion, window_root
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


def test_an_empty_window_has_the_empty_root():
    assert window_root([]) == SHA256.empty_root()
