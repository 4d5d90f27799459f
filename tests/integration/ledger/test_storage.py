"""The ledger on SQLite and PostgreSQL: vectors, proofs at every size, durability of indices."""

import json
import random
import threading
import time

import pytest

from qcert.ledger import (
    SHA256,
    SM3,
    EntryTooLarge,
    IndexOutOfRange,
    LedgerError,
    verify_consistency,
    verify_inclusion,
    verify_proof,
)
from qcert.ledger.storage.sql import MAX_ENTRY_BYTES
from tests.conftest import DATA
from tests.unit.ledger.reference import mth

ROOTS = json.loads((DATA / "ledger" / "rfc6962_roots.json").read_text())
LEAVES = [bytes.fromhex(h) for h in ROOTS["leaves_hex"]]


def test_rfc6962_roots_for_every_size_from_stored_tiles(ledger):
    assert ledger.root(0).hex() == ROOTS["roots_by_size"]["0"]
    for i, leaf in enumerate(LEAVES):
        assert ledger.append([leaf]) == [i]
        ledger.integrate()
    for size in range(9):
        assert ledger.root(size).hex() == ROOTS["roots_by_size"][str(size)]


def test_one_batch_gives_the_same_tree_as_single_appends(ledger):
    assert ledger.append(LEAVES) == list(range(8))
    assert ledger.root(8).hex() == ROOTS["roots_by_size"]["8"]
    assert ledger.root(8, SM3) == mth(SM3, LEAVES)


def test_proofs_across_tile_boundaries_verify_against_the_reference_tree(ledger, vkeys):
    entries = [i.to_bytes(3, "big") for i in range(700)]
    rng = random.Random(7)
    pos = 0
    while pos < len(entries):  # batches of uneven size, so partial tiles get rewritten
        step = rng.choice([1, 3, 255, 256, 257])
        ledger.append(entries[pos : pos + step])
        pos += step
    for size in (1, 255, 256, 257, 511, 512, 513, 700):
        assert ledger.root(size, SHA256) == mth(SHA256, entries[:size])
    # Checkpoints are signed in order, so the sizes to prove against are signed smallest first.
    for size, suite in sorted(
        {(rng.randint(1, 700), rng.choice([SHA256, SM3])) for _ in range(25)},
        key=lambda pair: pair[0],
    ):
        ledger.checkpoint(suite, size)
        index = rng.randint(0, size - 1)
        bundle = ledger.prove_signed(index, size, suite)
        result = verify_proof(bundle, entries[index], vkeys[:1])
        assert (result.index, result.checkpoint.size, result.suite) == (index, size, suite.name)
        old = rng.randint(1, size)
        c = ledger.consistency(old, size, suite)
        verify_consistency(suite, old, size, c.hashes, c.old_root, c.new_root)


def test_checkpoints_are_stored_and_reused(ledger, vkeys):
    ledger.append([b"a", b"b", b"c"])
    first = ledger.checkpoint()
    assert ledger.checkpoint() == first
    assert ledger.storage.latest_checkpoint(SHA256) == first
    sm3 = ledger.checkpoint(SM3)
    assert sm3.startswith("test.qcert.local/ledger/sm3\n3\n")


def test_entries_come_back_exactly(ledger):
    data = [b"", b"\x00" * 5, bytes(range(256)) * 40, "证书".encode()]
    ledger.append(data)
    assert [ledger.entry(i) for i in range(4)] == data


def test_large_batches_split_into_bundles_and_read_back(ledger):
    big = [bytes([i % 256]) * 300_000 for i in range(8)]
    ledger.append(big)
    assert [ledger.entry(i) for i in range(8)] == big
    assert len(list(ledger.storage.bundle_spans())) > 1


def test_oversized_entry_is_refused_and_nothing_is_written(ledger):
    ledger.append([b"ok"])
    with pytest.raises(EntryTooLarge, match="entry 1 is"):
        ledger.append([b"fine", b"x" * (MAX_ENTRY_BYTES + 1)])
    assert ledger.size() == 1


def test_non_bytes_entries_are_refused(ledger):
    with pytest.raises(LedgerError, match="entry 0 is str, not bytes"):
        ledger.append(["text"])
    assert ledger.size() == 0


def test_indices_past_the_tree_are_refused(ledger):
    ledger.append([b"a", b"b"])
    ledger.checkpoint()
    with pytest.raises(IndexOutOfRange, match="entry 2 is not in the signed checkpoint of size 2"):
        ledger.prove_signed(2)
    with pytest.raises(IndexOutOfRange, match="past the ledger's size 2"):
        ledger.root(3)
    with pytest.raises(IndexOutOfRange):
        ledger.entry(5)
    with pytest.raises(IndexOutOfRange):
        ledger.consistency(2, 3)


def test_parallel_integration_builds_the_same_trees(engine, signers, tmp_path):
    from qcert.ledger import Ledger
    from qcert.ledger.storage import SqlLedgerStorage
    from qcert.store import create_engine, migrate

    entries = [i.to_bytes(4, "big") for i in range(2 * 65536 + 300)]
    parallel = Ledger(SqlLedgerStorage(engine), "p", signers)
    parallel.append(entries)
    assert parallel.integrate(workers=2) == {"sha256": len(entries), "sm3": len(entries)}
    other = create_engine(f"sqlite:///{tmp_path / 'seq.db'}")
    migrate(other)
    sequential = Ledger(SqlLedgerStorage(other), "s", signers)
    sequential.append(entries)
    sequential.integrate(workers=1)
    for suite in (SHA256, SM3):
        assert parallel.root(len(entries), suite) == sequential.root(len(entries), suite)
    assert parallel.root(len(entries)) == mth(SHA256, entries)


def test_entries_at_reads_scattered_indices_in_rows_of_one_and_of_many(ledger):
    entries = [i.to_bytes(2, "big") * (i % 5 + 1) for i in range(600)]
    rng = random.Random(3)
    pos = 0
    while pos < len(entries):  # rows of one entry and rows of many, as commands write them
        step = rng.choice([1, 1, 1, 2, 7, 40])
        ledger.append(entries[pos : pos + step])
        pos += step
    wanted = [*sorted(rng.sample(range(600), 230)), 0, 599, 599]
    got = ledger.storage.entries_at(wanted)
    assert list(got) == sorted(set(wanted))
    assert all(got[i] == entries[i] for i in wanted)
    assert ledger.storage.entries_at([]) == {}
    with pytest.raises(IndexOutOfRange, match="index 600 is past the ledger's size 600"):
        ledger.storage.entries_at([3, 600])
    with pytest.raises(IndexOutOfRange):
        ledger.storage.entries_at([-1])


def test_inclusion_proofs_in_a_batch_are_the_proofs_one_by_one(ledger):
    entries = [i.to_bytes(3, "big") for i in range(1_300)]
    ledger.append(entries)
    indices = [0, 1, 255, 256, 257, 700, 1_299, 700]
    for size in (1_300, 901):
        batch = ledger.inclusion_proofs([i for i in indices if i < size], size, SM3)
        root = mth(SM3, entries[:size])
        for index, path in zip([i for i in indices if i < size], batch, strict=True):
            verify_inclusion(SM3, index, size, SM3.leaf_hash(entries[index]), path, root)
        single = [ledger.inclusion_proof(i, size, SM3) for i in indices if i < size]
        assert batch == single
    with pytest.raises(IndexOutOfRange):
        ledger.inclusion_proofs([5, 1_300], 1_300)


def test_a_full_tile_evicted_by_another_thread_mid_look_up_does_not_fail_the_read(ledger):
    # Threads of one process share the tile cache (a server's, a watcher's). Another thread
    # reading tiles between this one's look-up of a cached tile and its move to the front
    # would evict it (a cache of one tile) and the move would fail, were the cache not
    # locked: here the other thread waits for this read to end, then reads its own.
    ledger.append([i.to_bytes(3, "big") for i in range(3 * 256)])
    ledger.integrate()
    storage = ledger.storage
    storage._cache_size = 1
    first, second = (0, 0), (0, 1)  # full tiles of level 0
    want = storage.tiles(SHA256, [first], cached=True)
    assert set(want) == {first}
    other: list[dict] = []

    class Interleaving(type(storage._cache)):
        def get(self, key, default=None):
            found = super().get(key, default)
            if found is not None and not other:
                reader = threading.Thread(
                    target=lambda: other.append(storage.tiles(SHA256, [second], cached=True))
                )
                reader.start()
                reader.join(0.3)  # it waits on the cache's lock for this read to end
                other.append({})
            return found

    storage._cache = Interleaving(storage._cache)
    assert storage.tiles(SHA256, [first], cached=True) == want
    deadline = time.monotonic() + 5
    while len(other) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert other[0] == {} and set(other[1]) == {second}  # waited, then read its own
    assert list(storage._cache) == [(SHA256.name, second)]
