"""Proof algorithms against the transparency-dev/merkle vectors and the RFC's own definitions."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcert.ledger import SHA256, SM3, LedgerError, verify_consistency, verify_inclusion
from qcert.ledger.proof import consistency_ranges, inclusion_ranges, root_from_inclusion
from qcert.ledger.tree import fold, range_nodes
from tests.conftest import DATA

from .reference import mth, path, subproof

VECTORS = DATA / "ledger"
ROOTS = json.loads((VECTORS / "rfc6962_roots.json").read_text())
LEAVES = [bytes.fromhex(h) for h in ROOTS["leaves_hex"]]
INCLUSION = json.loads((VECTORS / "inclusion.json").read_text())["probes"]
CONSISTENCY = json.loads((VECTORS / "consistency.json").read_text())["probes"]


def _hashes(values):
    return [bytes.fromhex(h) for h in values or []]


@pytest.mark.parametrize("size", range(9))
def test_reference_tree_gives_the_rfc6962_roots(size):
    assert mth(SHA256, LEAVES[:size]).hex() == ROOTS["roots_by_size"][str(size)]


@pytest.mark.parametrize("probe", INCLUSION, ids=lambda p: p["file"])
def test_inclusion_probes(probe):
    args = (
        SHA256,
        probe["leafIdx"],
        probe["treeSize"],
        bytes.fromhex(probe["leafHash_hex"]),
        _hashes(probe["proof_hex"]),
        bytes.fromhex(probe["root_hex"]),
    )
    if probe["wantErr"]:
        with pytest.raises(LedgerError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("probe", CONSISTENCY, ids=lambda p: p["file"])
def test_consistency_probes(probe):
    args = (
        SHA256,
        probe["size1"],
        probe["size2"],
        _hashes(probe["proof_hex"]),
        bytes.fromhex(probe["root1_hex"]),
        bytes.fromhex(probe["root2_hex"]),
    )
    if probe["wantErr"]:
        with pytest.raises(LedgerError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def _range_hash(suite, entries, begin, end):
    leaves = [suite.leaf_hash(e) for e in entries]

    def node(level, index):
        return mth_of_leaves(suite, leaves[index << level : (index + 1) << level])

    return fold(suite, [node(lv, ix) for lv, ix in range_nodes(begin, end)])


def mth_of_leaves(suite, leaf_hashes):
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    half = len(leaf_hashes) // 2
    return suite.node_hash(
        mth_of_leaves(suite, leaf_hashes[:half]), mth_of_leaves(suite, leaf_hashes[half:])
    )


trees = st.integers(min_value=1, max_value=70).flatmap(
    lambda n: st.tuples(st.just([bytes([i % 256, i // 256]) for i in range(n)]), st.data())
)


@given(trees, st.sampled_from([SHA256, SM3]))
def test_inclusion_ranges_hash_to_the_rfc_path_and_verify(tree, suite):
    entries, data = tree
    size = data.draw(st.integers(1, len(entries)))
    index = data.draw(st.integers(0, size - 1))
    proof = [_range_hash(suite, entries, a, b) for a, b in inclusion_ranges(index, size)]
    assert proof == path(suite, index, entries[:size])
    root = mth(suite, entries[:size])
    verify_inclusion(suite, index, size, suite.leaf_hash(entries[index]), proof, root)


@given(trees, st.sampled_from([SHA256, SM3]))
def test_consistency_ranges_hash_to_the_rfc_proof_and_verify(tree, suite):
    entries, data = tree
    new = data.draw(st.integers(1, len(entries)))
    old = data.draw(st.integers(1, new))
    proof = [_range_hash(suite, entries, a, b) for a, b in consistency_ranges(old, new)]
    assert proof == (subproof(suite, old, entries[:new], True) if old < new else [])
    verify_consistency(suite, old, new, proof, mth(suite, entries[:old]), mth(suite, entries[:new]))


@given(trees)
def test_any_flipped_bit_in_an_inclusion_proof_is_caught(tree):
    entries, data = tree
    size = data.draw(st.integers(2, max(2, len(entries)))) if len(entries) > 1 else 1
    if size > len(entries):
        return
    index = data.draw(st.integers(0, size - 1))
    proof = path(SHA256, index, entries[:size])
    root = mth(SHA256, entries[:size])
    if not proof:
        return
    which = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    bad = list(proof)
    bad[which] = bytes(
        b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(bad[which])
    )
    with pytest.raises(LedgerError):
        verify_inclusion(SHA256, index, size, SHA256.leaf_hash(entries[index]), bad, root)


def test_truncated_and_extended_proofs_say_so():
    proof = path(SHA256, 2, LEAVES)
    leaf = SHA256.leaf_hash(LEAVES[2])
    with pytest.raises(LedgerError, match="has 2 hashes, needs 3"):
        root_from_inclusion(SHA256, 2, 8, leaf, proof[:-1])
    with pytest.raises(LedgerError, match="has 4 hashes, needs 3"):
        root_from_inclusion(SHA256, 2, 8, leaf, [*proof, proof[0]])


def test_index_past_the_tree_is_refused():
    with pytest.raises(LedgerError, match="leaf index 8 is not in a tree of size 8"):
        inclusion_ranges(8, 8)
