"""A store written before entries were sealed and checkpoints numbered moves to the new layout
with its history intact: the audit passes, and new checkpoints continue the numbering."""

import sqlalchemy as sa

from qcert.ledger import SHA256, Checkpoint, Ledger, sign_note
from qcert.ledger.storage import SqlLedgerStorage
from qcert.ledger.storage.sql import frame
from qcert.store import migrate
from tests.unit.ledger.reference import mth

from .conftest import ORIGIN


def test_a_0012_store_is_sealed_and_numbered_by_0013(engine, signers):
    migrate(engine, "0012")
    entries = [f"old event {i}".encode() for i in range(300)]
    with engine.begin() as conn:
        # As the layout of 0012 wrote them: no seals, checkpoints keyed by size only.
        conn.execute(
            sa.text("INSERT INTO ledger_entries (first_index, count, data) VALUES (0, 200, :d)"),
            {"d": frame(entries[:200])},
        )
        conn.execute(
            sa.text("INSERT INTO ledger_entries (first_index, count, data) VALUES (200, 100, :d)"),
            {"d": frame(entries[200:])},
        )
        conn.execute(sa.text("INSERT INTO ledger_state (name, size) VALUES ('sequence', 300)"))
    with engine.begin() as conn:
        for size in (200, 300):
            root = mth(SHA256, entries[:size])
            note = sign_note(Checkpoint(ORIGIN, size, root).text(), signers)
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_checkpoints (suite, size, note, signed_at) "
                    "VALUES ('sha256', :n, :note, CURRENT_TIMESTAMP)"
                ),
                {"n": size, "note": note},
            )
    migrate(engine)
    fresh = Ledger(SqlLedgerStorage(engine), ORIGIN, signers)
    fresh.integrate()  # the trees of 0012 would be the same; they are built here
    assert fresh.storage.sealed(0, 300)[1] == b"".join(SHA256.leaf_hashes(entries))
    report = fresh.audit()
    assert report.ok, report.problems
    assert report.checkpoints == 2
    assert [(c.seq, c.size) for c in fresh.storage.checkpoints(SHA256)] == [(1, 200), (2, 300)]
    fresh.append([b"new"])
    fresh.sign_due()
    assert [c.seq for c in fresh.storage.checkpoints(SHA256)] == [1, 2, 3]
    assert fresh.audit().ok
    migrate(engine, "0012")  # and back
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("ledger_checkpoints")}
    assert "seq" not in columns
    migrate(engine)
