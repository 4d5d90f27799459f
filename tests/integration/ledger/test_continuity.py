"""The audit covers everything: entries no tree holds yet, every checkpoint in order, and
checkpoints a verifier kept, against a store that was edited, cut back or forked."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from qcert.ledger import SHA256, SM3, Checkpoint, Ledger, LedgerError, generate_ed25519, sign_note
from qcert.ledger.continuity import _check_consistent
from qcert.ledger.storage import SqlLedgerStorage
from qcert.ledger.storage.sql import unframe
from qcert.store import create_engine, migrate

from .conftest import ORIGIN


@pytest.fixture
def grown(ledger):
    """A log signed at 600 (both trees) and 601 (SHA-256), then one entry acknowledged but in
    no tree yet."""
    ledger.append([f"event {i}".encode() for i in range(600)])
    ledger.checkpoint(SHA256)
    ledger.checkpoint(SM3)
    ledger.append([b"later"])
    ledger.checkpoint()
    ledger.append([b"acknowledged, not yet integrated"])
    report = ledger.audit()
    assert report.ok, report.problems
    assert (report.sequenced, report.integrated) == (602, {"sha256": 601, "sm3": 600})
    assert report.checkpoints == 3 and report.signed == {"sha256": 601, "sm3": 600}
    return ledger


def _sql(engine, text, **params):
    with engine.begin() as conn:
        return conn.execute(sa.text(text), params)


def test_an_entry_edited_before_any_tree_holds_it_is_found(grown, engine):
    assert grown.storage.integrated_size(SHA256) == 601  # entry 601 is in no tree
    row = _sql(engine, "SELECT data FROM ledger_entries WHERE first_index = 601").scalar()
    edited = bytes(row).replace(b"acknowledged", b"ACKNOWLEDGED")
    _sql(engine, "UPDATE ledger_entries SET data = :d WHERE first_index = 601", d=edited)
    problems = grown.audit().problems
    assert problems == [
        "entry 601 (not yet in a tree) differs from the leaf hash sealed when it was sequenced"
    ]


def test_an_integrated_entry_edited_is_found_against_its_seal_and_its_tree(grown, engine):
    row = bytes(_sql(engine, "SELECT data FROM ledger_entries WHERE first_index = 0").scalar())
    at = row.index(b"event 7")
    edited = row[:at] + b"EVENT 7" + row[at + 7 :]
    _sql(engine, "UPDATE ledger_entries SET data = :d WHERE first_index = 0", d=edited)
    problems = grown.audit().problems
    assert "entry 7 (in the tree) differs from the leaf hash sealed when it was sequenced" in (
        problems
    )
    assert any(p.startswith("sha256: stored leaf hash 7 ") for p in problems)
    assert any(p.startswith("sm3: stored leaf hash 7 ") for p in problems)


def test_entries_and_seals_both_rewritten_are_left_to_the_checkpoints(grown, engine):
    # Whoever can rewrite the seals too is caught by what was signed, not by the seals.
    data = bytes(_sql(engine, "SELECT data FROM ledger_entries WHERE first_index = 0").scalar())
    edited = data.replace(b"event 7", b"EVENT 7")
    entries = unframe(edited, 600)
    leaves = b"".join(SHA256.leaf_hashes(entries))
    _sql(
        engine,
        "UPDATE ledger_entries SET data = :d, leaves = :l WHERE first_index = 0",
        d=edited,
        l=leaves,
    )
    problems = grown.audit().problems
    assert not any("sealed" in p for p in problems)
    assert any("stored leaf hash 7" in p for p in problems)


def test_a_deleted_checkpoint_in_the_middle_is_a_gap(grown, engine):
    grown.append([b"one more"])
    grown.checkpoint()  # sha256 #3 at 603
    _sql(engine, "DELETE FROM ledger_checkpoints WHERE suite = 'sha256' AND seq = 2")
    problems = grown.audit().problems
    assert problems == [
        "checkpoint sha256 #2 is missing: #1 (size 600) is followed by #3 (size 603)"
    ]


def test_the_newest_checkpoint_deleted_is_missing_from_the_count(grown, engine):
    _sql(engine, "DELETE FROM ledger_checkpoints WHERE suite = 'sha256' AND seq = 2")
    problems = grown.audit().problems
    assert problems == [
        "checkpoint sha256 #2 is missing: the log recorded 2 checkpoints, the newest stored is #1"
    ]


def test_every_checkpoint_deleted_is_reported(grown, engine):
    _sql(engine, "DELETE FROM ledger_checkpoints")
    problems = grown.audit().problems
    assert (
        "checkpoint sha256 #1..#2 is missing: the log recorded 2 checkpoints, the newest "
        "stored is #0" in problems
    )
    assert any(p.startswith("checkpoint sm3 #1 is missing") for p in problems)


def test_checkpoints_are_signed_in_order_only(grown):
    with pytest.raises(LedgerError, match="size 300 cannot follow the one of size 601"):
        grown.checkpoint(SHA256, 300)
    assert grown.checkpoint(SHA256, 601) == grown.signed(SHA256)  # the same one, reused
    assert grown.checkpoint(SHA256, 602).startswith(f"{ORIGIN}\n602\n")
    assert [c.seq for c in grown.storage.checkpoints(SHA256)] == [1, 2, 3]


def test_checkpoint_times_never_run_backwards(grown, engine):
    rows = list(grown.storage.checkpoints(SHA256))
    assert rows[0].signed_at <= rows[1].signed_at
    _sql(
        engine,
        "UPDATE ledger_checkpoints SET signed_at = :t WHERE suite = 'sha256' AND seq = 2",
        t=datetime(2000, 1, 1, tzinfo=UTC),
    )
    (problem,) = grown.audit().problems
    assert problem.startswith("checkpoint sha256 #2 (size 601): stored at 2000-01-01T00:00:00")


def test_signed_roots_that_do_not_extend_each_other_are_reported(grown):
    old = Checkpoint(ORIGIN, 600, grown.root(600))
    new = Checkpoint(ORIGIN, 601, grown.root(601))
    problems: list[str] = []
    _check_consistent(grown, SHA256, old, new, "here", problems)
    assert problems == []
    _check_consistent(grown, SHA256, Checkpoint(ORIGIN, 600, b"\x01" * 32), new, "here", problems)
    assert len(problems) == 1 and "not consistent with the checkpoint of size 600" in problems[0]


# -- what a verifier kept --------------------------------------------------


def _store(tmp_path, name: str) -> sa.Engine:
    engine = create_engine(f"sqlite:///{tmp_path / name}")
    migrate(engine)
    return engine


def test_a_store_rebuilt_shorter_and_re_signed_is_a_rollback_naming_both_sizes(
    grown, signers, tmp_path
):
    seen = grown.signed(SHA256)  # what a verifier fetched from /ledger/checkpoint
    # The operator truncates the log and rebuilds it with the keys beside the database.
    rebuilt = Ledger(SqlLedgerStorage(_store(tmp_path, "rebuilt.db")), ORIGIN, signers)
    rebuilt.append([f"event {i}".encode() for i in range(500)])
    rebuilt.sign_due()
    assert rebuilt.audit().ok  # on its own, the rebuilt store is consistent
    problems = rebuilt.audit(seen=[seen]).problems
    assert problems == [
        "seen checkpoint sha256 (size 601): rollback: the log was seen at size 601, "
        "the store holds 500 entries (newest checkpoint: size 500)"
    ]


def test_a_store_rebuilt_to_the_same_size_with_other_entries_is_a_fork(grown, signers, tmp_path):
    seen = grown.signed(SM3)
    forked = Ledger(SqlLedgerStorage(_store(tmp_path, "forked.db")), ORIGIN, signers)
    forked.append([f"event {i}".encode() for i in range(599)] + [b"rewritten"])
    forked.append([b"later"])
    forked.sign_due()
    assert forked.signed_size(SM3) == 601
    problems = forked.audit(seen=[seen]).problems
    assert problems == [
        "seen checkpoint sm3 (size 600): fork: the store's tree at size 600 is not the one seen"
    ]


def test_two_checkpoints_of_one_size_are_a_split_view(grown, signers, tmp_path):
    seen = grown.signed(SHA256)
    other = Ledger(SqlLedgerStorage(_store(tmp_path, "other.db")), ORIGIN, signers)
    other.append([f"other {i}".encode() for i in range(601)])
    other.sign_due()
    problems = other.audit(seen=[seen]).problems
    assert problems == [
        "seen checkpoint sha256 (size 601): split view: the store signed another tree of the "
        "same size"
    ]


def test_a_seen_checkpoint_deleted_from_the_store_is_reported(grown, engine):
    seen = grown.signed(SHA256)
    assert grown.audit(seen=[seen]).ok
    _sql(engine, "DELETE FROM ledger_checkpoints WHERE suite = 'sha256' AND size = 601")
    _sql(engine, "UPDATE ledger_state SET size = 1 WHERE name = 'cp:sha256'")  # hidden well
    problems = grown.audit(seen=[seen]).problems
    assert problems == [
        "seen checkpoint sha256 (size 601): the store has no checkpoint of this size "
        "(newest: size 600); it was deleted"
    ]


def test_a_checkpoint_of_another_log_is_not_taken_for_this_ones(grown):
    stranger = generate_ed25519(ORIGIN)
    note = sign_note(Checkpoint(ORIGIN, 601, grown.root(601)).text(), [stranger])
    (problem,) = grown.audit(seen=[note, "not a note"]).problems[:1]
    assert problem.startswith("seen checkpoint: not one of this log's")
    assert len(grown.audit(seen=[note, "not a note"]).problems) == 2
