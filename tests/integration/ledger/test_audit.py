"""Tamper evidence: any edit of a stored leaf, interior hash or checkpoint row is found."""

import pytest
import sqlalchemy as sa

from qcert.ledger import SHA256, SM3


@pytest.fixture
def filled(ledger):
    ledger.append([f"event {i}".encode() for i in range(600)])
    for suite in (SHA256, SM3):
        ledger.checkpoint(suite)
    ledger.append([b"later"])
    ledger.checkpoint()
    assert ledger.audit().ok
    return ledger


def _flip(engine, table, column, where, offset):
    with engine.begin() as conn:
        value = bytearray(
            conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE {where}")).scalar()
        )
        value[offset] ^= 0x01
        conn.execute(
            sa.text(f"UPDATE {table} SET {column} = :v WHERE {where}"), {"v": bytes(value)}
        )


def test_an_untouched_ledger_audits_clean(filled):
    report = filled.audit()
    assert report.ok
    assert report.sequenced == 601
    assert report.integrated == {"sha256": 601, "sm3": 600}
    assert report.checkpoints == 3


@pytest.mark.parametrize("offset", [2400, 2407, -1])  # after 600 lengths: entries 0, 1, last
def test_edited_entry_is_caught(filled, engine, offset):
    with engine.connect() as conn:
        # The row the flip edits (a table's rows come back in no promised order).
        length = conn.execute(
            sa.text("SELECT length(data) FROM ledger_entries WHERE first_index = 0")
        ).scalar_one()
    _flip(engine, "ledger_entries", "data", "first_index = 0", offset % length)
    problems = filled.audit().problems
    assert any("leaf hash" in p for p in problems), problems


@pytest.mark.parametrize(
    ("suite", "idx", "offset"), [("sha256", 0, 0), ("sha256", 2, 40), ("sm3", 1, 31)]
)
def test_edited_leaf_hash_is_caught(filled, engine, suite, idx, offset):
    _flip(
        engine, "ledger_tiles", "hashes", f"suite = '{suite}' AND level = 0 AND idx = {idx}", offset
    )
    problems = filled.audit().problems
    assert any(p.startswith(f"{suite}: stored leaf hash") for p in problems), problems


@pytest.mark.parametrize("suite", ["sha256", "sm3"])
def test_edited_interior_hash_is_caught(filled, engine, suite):
    _flip(engine, "ledger_tiles", "hashes", f"suite = '{suite}' AND level = 1 AND idx = 0", 7)
    problems = filled.audit().problems
    assert any("node hash at height 8" in p for p in problems), problems


def test_deleted_tile_is_caught(filled, engine):
    with engine.begin() as conn:
        conn.execute(
            sa.text("DELETE FROM ledger_tiles WHERE suite = 'sha256' AND level = 0 AND idx = 1")
        )
    assert any("tile 0/1 is missing" in p for p in filled.audit().problems)


def _edit_note(engine, size, suite, old, new):
    with engine.begin() as conn:
        note = conn.execute(
            sa.text("SELECT note FROM ledger_checkpoints WHERE suite = :s AND size = :n"),
            {"s": suite, "n": size},
        ).scalar()
        assert old in note
        conn.execute(
            sa.text("UPDATE ledger_checkpoints SET note = :v WHERE suite = :s AND size = :n"),
            {"v": note.replace(old, new, 1), "s": suite, "n": size},
        )


def test_edited_checkpoint_size_is_caught(filled, engine):
    _edit_note(engine, 600, "sha256", "\n600\n", "\n599\n")
    assert any("checkpoint sha256 #1 (size 600)" in p for p in filled.audit().problems)


def test_edited_checkpoint_signature_is_caught(filled, engine):
    _edit_note(
        engine, 601, "sha256", "\u2014 test.qcert.local/ledger ", "\u2014 test.qcert.local/ledger A"
    )
    assert any("checkpoint sha256 #2 (size 601)" in p for p in filled.audit().problems)


def test_a_checkpoint_re_signed_over_a_forged_root_is_caught(filled, engine, signers):
    from qcert.ledger import Checkpoint, sign_note

    forged = sign_note(Checkpoint("test.qcert.local/ledger/sm3", 600, b"\x00" * 32).text(), signers)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE ledger_checkpoints SET note = :v WHERE suite = 'sm3' AND size = 600"),
            {"v": forged},
        )
    assert any("root differs" in p for p in filled.audit().problems)


def test_deleted_entry_row_is_caught(filled, engine):
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM ledger_entries WHERE first_index = 600"))
    problems = filled.audit().problems
    assert any("entries" in p for p in problems), problems


def test_parallel_audit_finds_the_same_problems(ledger, engine):
    ledger.append([i.to_bytes(4, "big") for i in range(3 * 65536 + 5)])
    ledger.integrate()
    _flip(engine, "ledger_tiles", "hashes", "suite = 'sm3' AND level = 0 AND idx = 300", 0)
    inline = ledger.audit(workers=0).problems
    parallel = ledger.audit(workers=2).problems
    assert inline == parallel
    assert len(inline) == 1 and "sm3: stored leaf hash 76800" in inline[0]


def test_edited_length_prefix_is_caught(filled, engine):
    _flip(engine, "ledger_entries", "data", "first_index = 0", 2)
    assert any("its lengths say" in p for p in filled.audit().problems)


@pytest.mark.parametrize("suite", ["sha256", "sm3"])
def test_edited_stored_interior_hash_of_a_full_tile_is_caught(filled, engine, suite):
    _flip(
        engine, "ledger_tiles", "hashes", f"suite = '{suite}' AND level = 0 AND idx = 0", 300 * 32
    )
    problems = filled.audit().problems
    assert any("stored interior hash 44 differs" in p for p in problems), problems
