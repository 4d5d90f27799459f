"""Hash suites: SM3 against GB/T 32905-2016 Appendix A, and the RFC 9162 prefixes."""

import hashlib
import json

import pytest

from qcert.ledger import SHA256, SM3, LedgerError, suite_by_name
from tests.conftest import DATA

SM3_VECTORS = json.loads((DATA / "ledger" / "sm3.json").read_text())["vectors"]


@pytest.mark.parametrize("vector", SM3_VECTORS, ids=lambda v: v["input_ascii"][:8])
def test_sm3_matches_the_standards_examples(vector):
    assert SM3.hash(vector["input_ascii"].encode()).hex() == vector["digest_hex"]


def test_leaf_and_node_hashes_use_rfc9162_prefixes():
    assert SHA256.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        SHA256.node_hash(b"a" * 32, b"b" * 32)
        == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert SM3.leaf_hash(b"x") == hashlib.new("sm3", b"\x00x").digest()


def test_perfect_root_folds_pairs_level_by_level():
    leaves = [SHA256.leaf_hash(bytes([i])) for i in range(4)]
    left = SHA256.node_hash(leaves[0], leaves[1])
    right = SHA256.node_hash(leaves[2], leaves[3])
    assert SHA256.perfect_root(b"".join(leaves)) == SHA256.node_hash(left, right)


def test_the_two_suites_give_different_roots_for_the_same_entries():
    assert SHA256.leaf_hash(b"abc") != SM3.leaf_hash(b"abc")


def test_unknown_suite_is_refused_by_name():
    with pytest.raises(LedgerError, match="unknown hash suite 'md5'"):
        suite_by_name("md5")
