"""The SQL of ``evidence_blocks``: writing blocks of readings and finding the blocks that may
hold a time range or a seq range (``qcert.evidence.blocks`` says what a block is).

Every look-up is one range of an index, bounded by what each block keeps: a block that may
hold a reading taken in [start, end) starts after ``start - TIME_SPAN``, and one that may hold
seq ``s`` has its first seq after ``s - SEQ_SPAN``. What a range returns is read a page of
blocks at a time, with the driver's own cursor (a block is one tuple, not a result row).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ..evidence.blocks import SEQ_SPAN, TIME_SPAN, Block

__all__ = ["PAGE", "SAID", "by_seq", "by_time", "insert", "raw_rows"]

PAGE = 64  # blocks a query reads at a time (a block of texts is up to about 250 KB)
EARLIEST_US = -(2**62)  # before every reading
LATEST_US = 2**62  # after every reading

_COLUMNS = (
    "device_id",
    "first_seq",
    "last_seq",
    "start_us",
    "end_us",
    "count",
    "received",
    "seqs",
    "times",
    "bodies",
    "leaves",
    "variables",
    "value_table",
)
# PostgreSQL's types, for COPY BINARY.
_TYPES = ("varchar", "int8", "int8", "int8", "int8", "int4", "bytea", "bytea", "bytea", "text")
_TYPES += ("bytea", "text", "bytea")
# What a block's readings said, as :func:`qcert.evidence.blocks.texts_of` reads it.
SAID = "bodies, variables, value_table"


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert(conn: Connection, blocks: Sequence[Block]) -> None:
    """Insert ``blocks``: on PostgreSQL with one binary COPY, elsewhere with one executemany.
    A block whose (device, first seq) is stored already fails the whole statement."""
    if not blocks:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            sql = f"COPY evidence_blocks ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:
                copy.set_types(_TYPES)
                for block in blocks:
                    copy.write_row(block.row())
        return
    marks = ", ".join([_mark(conn)] * len(_COLUMNS))
    sql = f"INSERT INTO evidence_blocks ({', '.join(_COLUMNS)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, [block.row() for block in blocks])


def raw_rows(conn: Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of ``sql`` as plain tuples, read with the driver's own cursor."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def by_time(
    conn: Connection,
    device_id: str,
    start: int,
    end: int,
    columns: str,
    descending: bool = False,
) -> Iterator[tuple[Any, ...]]:
    """The blocks of ``device_id`` that may hold a reading taken in [start, end) (µs), by
    their start (and first seq), oldest first or, with ``descending``, newest first: of
    each, ``columns`` (SQL, comma-separated) after its start and first seq."""
    mark = _mark(conn)
    order = "DESC" if descending else ""
    base = (
        f"SELECT start_us, first_seq, {columns} FROM evidence_blocks "
        f"WHERE device_id = {mark} AND start_us > {mark} AND start_us < {mark} "
        f"AND end_us >= {mark}"
    )
    params: list[Any] = [device_id, max(EARLIEST_US, start - TIME_SPAN), end, start]
    after: tuple[int, int] | None = None
    while True:
        sql, args = base, list(params)
        if after is not None:
            cmp = "<" if descending else ">"
            sql += f" AND (start_us {cmp} {mark} OR (start_us = {mark} AND first_seq {cmp} {mark}))"
            args += [after[0], after[0], after[1]]
        sql += f" ORDER BY start_us {order}, first_seq {order} LIMIT {PAGE:d}"
        page = raw_rows(conn, sql, args)
        yield from page
        if len(page) < PAGE:
            return
        after = (int(page[-1][0]), int(page[-1][1]))


def by_seq(
    conn: Connection, device_id: str, low: int, high: int, columns: str
) -> Iterator[tuple[Any, ...]]:
    """The blocks of ``device_id`` that may hold a seq in [low, high], by first seq: of each,
    ``columns`` after its first seq."""
    mark = _mark(conn)
    base = (
        f"SELECT first_seq, {columns} FROM evidence_blocks "
        f"WHERE device_id = {mark} AND first_seq > {mark} AND first_seq <= {mark} "
        f"AND last_seq >= {mark}"
    )
    after = max(-1, low - SEQ_SPAN)
    while True:
        page = raw_rows(
            conn,
            f"{base} ORDER BY first_seq LIMIT {PAGE:d}",
            [device_id, after, high, low],
        )
        yield from page
        if len(page) < PAGE:
            return
        after = int(page[-1][0])
