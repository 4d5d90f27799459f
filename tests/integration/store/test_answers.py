"""Kept answers: served again only while the store is unchanged."""

from qcert.ledger.storage import SqlLedgerStorage
from qcert.store.answers import AnswerCache, store_version


def test_the_store_version_moves_with_every_commit(engine):
    version = store_version(engine)
    before = version()
    assert version() == before  # reading changes nothing
    SqlLedgerStorage(engine).append([b"an entry"])
    after = version()
    assert after != before
    SqlLedgerStorage(engine).append([b"another"])
    assert version() != after


def test_answers_are_kept_per_version_and_the_oldest_go_first():
    cache = AnswerCache(lambda: 1, capacity=2)
    cache.put("a", 1, b"A")
    cache.put("b", 1, b"B")
    assert cache.get("a", 1) == b"A" and cache.get("a", 2) is None
    cache.put("c", 1, b"C")  # "b" was used least recently
    assert cache.get("b", 1) is None and cache.get("a", 1) == b"A" and cache.get("c", 1) == b"C"
