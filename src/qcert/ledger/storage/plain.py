"""Plain SQL for the statements every command runs, handed to SQLite's driver directly.

A unit of work runs a handful of statements whatever the command: its ``BEGIN``, the
sequence's reservation and the bundle's row, the newest event's time, each aggregate's events
since the copy kept in memory. SQLAlchemy adds several times what the driver takes to run one
of them; on SQLite these go to the driver's own connection, in the transaction SQLAlchemy
holds (its errors raised as SQLAlchemy raises them, so callers catch ``IntegrityError`` as
before). On other databases they run through ``exec_driver_sql``, with ``%s`` marks.

Statements are written with ``?`` marks and plain values (text, integers, floats, bytes):
nothing here converts a value by a column's type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["begin", "insert_sql", "run", "run_many"]


def begin(conn: Connection, sql: str) -> None:
    """Run ``sql``, SQLite's ``BEGIN`` or ``BEGIN IMMEDIATE``, as SQLAlchemy begins ``conn``'s
    transaction (its ``begin`` event)."""
    try:
        conn.connection.driver_connection.execute(sql)  # type: ignore[union-attr]
    except conn.dialect.loaded_dbapi.Error as err:
        raise _translated(conn, sql, (), err) from err


def run(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Run ``sql`` (``?`` marks) with ``params`` on ``conn``; the rows it returns, as tuples."""
    if conn.dialect.name != "sqlite":
        result = conn.exec_driver_sql(sql.replace("?", "%s"), tuple(params))
        return [tuple(r) for r in result] if result.returns_rows else []
    _begun(conn)
    try:
        return conn.connection.driver_connection.execute(sql, params).fetchall()  # type: ignore[union-attr]
    except conn.dialect.loaded_dbapi.Error as err:
        raise _translated(conn, sql, params, err) from err


def run_many(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Run ``sql`` (``?`` marks, no result) once per row of ``rows`` on ``conn``; the number
    of rows it changed in all (on SQLite)."""
    if not rows:
        return 0
    if conn.dialect.name != "sqlite":
        result = conn.exec_driver_sql(sql.replace("?", "%s"), [tuple(r) for r in rows])
        return int(result.rowcount)
    _begun(conn)
    try:
        cursor = conn.connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]
    except conn.dialect.loaded_dbapi.Error as err:
        raise _translated(conn, sql, rows, err) from err
    return int(cursor.rowcount)


_PLAIN = (sa.String, sa.Integer, sa.Float, sa.LargeBinary)


def insert_sql(table: sa.Table, columns: Sequence[str]) -> str | None:
    """``INSERT INTO table (columns) VALUES (?, ...)``, or None when a column's type converts
    its values (a date, a boolean, JSON...): such rows go through SQLAlchemy."""
    if not set(columns) <= set(table.c.keys()):
        return None
    cols = [table.c[name] for name in columns]
    if not all(_takes_plain(c) for c in cols):
        return None
    names = ", ".join(f'"{c.name}"' for c in cols)
    return f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in cols)})"


def _takes_plain(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, _PLAIN) and not isinstance(column.type, sa.Enum)


def _begun(conn: Connection) -> None:
    # As SQLAlchemy begins a transaction at a connection's first statement (and ends it when
    # the connection closes), so that reads after this one see what it saw.
    if not conn.in_transaction():
        conn.begin()


def _translated(conn: Connection, sql: str, params: Any, err: Exception) -> Exception:
    return sa.exc.DBAPIError.instance(
        sql, params, err, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
    )
