"""Plain SQL for the statements every command runs: the same rows, transactions and errors as
through SQLAlchemy, on SQLite (the driver's own connection) and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qcert.ledger.storage import plain
from qcert.store import tables as t

_EVENT = (
    "INSERT INTO lc_events (ledger_index, aggregate, seq, type, tenant, at, document) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _event(index: int, seq: int) -> tuple[object, ...]:
    return (index, "client:c1", seq, "client.registered", "", "2026-01-01T00:00:00Z", "{}")


def test_rows_come_back_as_through_sqlalchemy(engine):
    with engine.begin() as conn:
        plain.run_many(conn, _EVENT, [_event(0, 1), _event(1, 2)])
    sql = "SELECT seq, document FROM lc_events WHERE aggregate = ? ORDER BY seq"
    with engine.connect() as conn:
        rows = plain.run(conn, sql, ("client:c1",))
        core = conn.execute(sa.select(t.events.c.seq, t.events.c.document)).all()
    assert rows == [tuple(r) for r in core] == [(1, "{}"), (2, "{}")]


def test_a_refused_row_is_sqlalchemys_integrity_error(engine):
    with engine.begin() as conn:
        plain.run_many(conn, _EVENT, [_event(0, 1)])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        plain.run_many(conn, _EVENT, [_event(1, 1)])  # the same aggregate and seq again


def test_a_first_read_begins_the_transaction_that_closing_ends(engine):
    with engine.connect() as conn:
        plain.run(conn, "SELECT count(*) FROM lc_events")
        assert conn.in_transaction()
    with engine.connect() as conn:
        plain.run_many(conn, _EVENT, [_event(0, 1)])  # never committed: rolled back on close
    with engine.connect() as conn:
        assert plain.run(conn, "SELECT count(*) FROM lc_events") == [(0,)]


def test_columns_that_convert_their_values_go_through_sqlalchemy():
    assert plain.insert_sql(t.events, ["ledger_index", "document"]) == (
        'INSERT INTO lc_events ("ledger_index", "document") VALUES (?, ?)'
    )
    converting = sa.Table(
        "converting", sa.MetaData(), sa.Column("on", sa.Date), sa.Column("flag", sa.Boolean)
    )
    assert plain.insert_sql(converting, ["on"]) is None
    assert plain.insert_sql(converting, ["flag"]) is None
    assert plain.insert_sql(t.events, ["no_such_column"]) is None
