"""The ledger's SQL driver (SQLite and PostgreSQL through SQLAlchemy Core).

Layout:

- ``ledger_entries``: the sequenced entries, one row per appended bundle
  (``first_index``, ``count``, ``data``: the entries' lengths as big-endian
  uint32s followed by the entries, and ``leaves``: their SHA-256 leaf hashes,
  sealed in the transaction that sequences them). A batch append writes one row
  per MiB and never rewrites a row.
- ``ledger_tiles``: hash tiles per suite (see ``qcert.ledger.tiles``).
- ``ledger_state``: ``sequence`` = entries durably sequenced; one row per suite
  = leaves integrated into that suite's tree. Each row is also the lock its
  writer takes (``SELECT ... FOR UPDATE``; SQLite writers use ``BEGIN IMMEDIATE``).
- ``ledger_cosignatures``: witnesses' cosignature lines on stored checkpoints, one per
  witness (by verifier key) and checkpoint, each checked before it is kept.
- ``ledger_checkpoints``: every signed checkpoint, per suite and size, numbered
  ``seq`` = 1, 2, ... per suite in the order signed; sizes grow with ``seq``.
  ``ledger_state`` row ``cp:<suite>`` holds the newest number, so a deleted
  checkpoint leaves a gap or a count that the audit reports.

Sequencing is durable when the append commits; integrating leaves into each
suite's tree is a separate, idempotent step (as in C2SP/tessera logs), run on
demand before any proof or checkpoint needs it. The sealed leaf hashes let an
audit check entries that no tree holds yet.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from itertools import accumulate

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine

from ..checkpoint import StoredCheckpoint
from ..errors import EntryTooLarge, IndexOutOfRange, LedgerError
from ..hashing import SHA256, HashSuite
from ..tiles import TileId, integrate, is_full, partial_tiles
from . import plain

__all__ = [
    "MAX_ENTRY_BYTES",
    "Bundle",
    "Indexed",
    "SqlLedgerStorage",
    "checkpoint_counter",
    "metadata",
]

MAX_ENTRY_BYTES = 4 * 1024 * 1024
_BUNDLE_BYTES = 1024 * 1024
_INTEGRATE_CHUNK = 1 << 16

metadata = sa.MetaData()


@cache
def _insert(table: sa.Table) -> sa.Insert:
    # One INSERT per table, built once: every append inserts the rows that name its entries.
    return table.insert()


_RESERVE = "UPDATE ledger_state SET size = size + ? WHERE name = ? RETURNING size"
_IN_CHUNK = 500  # indices in one IN list (well under every driver's limit)
_BUNDLE = "INSERT INTO ledger_entries (first_index, count, data, leaves) VALUES (?, ?, ?, ?)"


def _insert_indexed(conn: Connection, ix: Indexed, first: int) -> None:
    """Insert ``ix``'s rows with their ledger index filled in: as plain SQL when every column
    takes its values as they are (:mod:`.plain`), else through SQLAlchemy."""
    names = (*ix.rows[0][1], ix.column)
    sql = _plain_insert(ix.table, names)
    if sql is None or ix.column in names[:-1] or any(tuple(r) != names[:-1] for _, r in ix.rows):
        conn.execute(_insert(ix.table), [{**row, ix.column: first + at} for at, row in ix.rows])
        return
    plain.run_many(conn, sql, [(*row.values(), first + at) for at, row in ix.rows])


@lru_cache(maxsize=64)
def _plain_insert(table: sa.Table, names: tuple[str, ...]) -> str | None:
    return plain.insert_sql(table, names)


entries_table = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("first_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("leaves", sa.LargeBinary, nullable=False),
)
tiles_table = sa.Table(
    "ledger_tiles",
    metadata,
    sa.Column("suite", sa.String(16), primary_key=True),
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hashes", sa.LargeBinary, nullable=False),
)
state_table = sa.Table(
    "ledger_state",
    metadata,
    sa.Column("name", sa.String(16), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
)
checkpoints_table = sa.Table(
    "ledger_checkpoints",
    metadata,
    sa.Column("suite", sa.String(16), primary_key=True),
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("suite", "seq", name="uq_ledger_checkpoints_seq"),
)

cosignatures_table = sa.Table(
    "ledger_cosignatures",
    metadata,
    sa.Column("suite", sa.String(16), primary_key=True),
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("witness", sa.String(300), primary_key=True),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

SEQUENCE = "sequence"


def checkpoint_counter(suite: HashSuite) -> str:
    """The ``ledger_state`` row holding the number of ``suite``'s newest checkpoint."""
    return f"cp:{suite.name}"


@dataclass(frozen=True)
class Indexed:
    """Rows of another table that name entries of one append by their ledger index: ``rows``
    are ``(offset, row)`` pairs, ``offset`` being the entry's place in the append (0 for its
    first), and ``column`` the column of ``table`` that takes the entry's index."""

    table: sa.Table
    column: str
    rows: Sequence[tuple[int, dict[str, object]]]


@dataclass(frozen=True)
class Bundle:
    """A row of ``ledger_entries``: ``count`` entries from ``first``, framed, with the SHA-256
    leaf hashes sealed when they were sequenced."""

    first: int
    count: int
    data: bytes
    leaves: bytes


def frame(entries: Sequence[bytes]) -> bytes:
    """A bundle: the entries' lengths as big-endian uint32s, then the entries back to back."""
    return struct.pack(f">{len(entries)}I", *map(len, entries)) + b"".join(entries)


def unframe(data: bytes, count: int, lo: int = 0, hi: int | None = None) -> list[bytes]:
    """Entries ``[lo, hi)`` of a bundle of ``count`` entries written by :func:`frame`.

    A bundle whose lengths do not add up to its size is refused, so a corrupt
    row can never pass for fewer or other entries.
    """
    hi = count if hi is None else hi
    head = 4 * count
    if len(data) < head:
        raise LedgerError(f"entry bundle of {len(data)} bytes is too short for {count} entries")
    lengths = struct.unpack_from(f">{count}I", data)
    ends = list(accumulate(lengths, initial=head))
    if ends[-1] != len(data):
        raise LedgerError(
            f"entry bundle holds {len(data) - head} bytes of entries, "
            f"its lengths say {ends[-1] - head}"
        )
    return [data[ends[i] : ends[i + 1]] for i in range(lo, hi)]


def _bundles(entries: Sequence[bytes], lengths: Sequence[int]) -> Iterator[Sequence[bytes]]:
    """Split a batch into bundles of about 1 MiB (one bundle when it is smaller)."""
    if sum(lengths) + 4 * len(lengths) <= _BUNDLE_BYTES:
        yield entries
        return
    start, size = 0, 0
    for i, n in enumerate(lengths):
        if i > start and size + n + 4 > _BUNDLE_BYTES:
            yield entries[start:i]
            start, size = i, 0
        size += n + 4
    yield entries[start:]


def _check(entries: Sequence[bytes]) -> list[int]:
    """Lengths of the entries; refuse any that is not bytes or is too large."""
    if set(map(type, entries)) - {bytes}:
        for i, e in enumerate(entries):
            if type(e) is not bytes:
                raise LedgerError(f"entry {i} is {type(e).__name__}, not bytes")
    lengths = list(map(len, entries))
    if lengths and max(lengths) > MAX_ENTRY_BYTES:
        i = next(i for i, n in enumerate(lengths) if n > MAX_ENTRY_BYTES)
        raise EntryTooLarge(
            f"entry {i} is {lengths[i]} bytes; the ledger takes at most "
            f"{MAX_ENTRY_BYTES} bytes per entry (anchor large files by their hash)"
        )
    return lengths


@lru_cache(maxsize=64)
def _append_sql(dialect: Dialect, shape: tuple[tuple[sa.Table, str, tuple[str, ...]], ...]) -> str:
    """The PostgreSQL statement of an append with rows of ``shape`` (table, index column,
    other columns): the sequence row's UPDATE, then one INSERT per table, each from arrays
    ``a<table>_<column>`` unnested side by side (``a0_*``: the bundles)."""
    quote = dialect.identifier_preparer.quote
    targets = [("ledger_entries", ("first_index", "count", "data", "leaves"))]
    kinds = [("BIGINT", "INTEGER", "BYTEA", "BYTEA")]
    for table, column, names in shape:
        targets.append((table.name, (column, *names)))
        kinds.append(("BIGINT", *(table.c[n].type.compile(dialect=dialect) for n in names)))
    # An upsert rather than an UPDATE: it locks the row all the same, and the first append of
    # all creates it, so the statement always takes its indices (a commit sent with it in one
    # round trip cannot find out afterwards that it took none).
    ctes = [
        "s AS (INSERT INTO ledger_state (name, size) VALUES (%(name)s, %(n)s) "
        "ON CONFLICT (name) DO UPDATE SET size = ledger_state.size + EXCLUDED.size "
        "RETURNING size - %(n)s AS first)"
    ]
    for k, ((table, cols), types) in enumerate(zip(targets, kinds, strict=True)):
        arrays = ", ".join(f"%(a{k}_{j})s::{kind}[]" for j, kind in enumerate(types))
        picked = ", ".join(["s.first + u.c0", *(f"u.c{j}" for j in range(1, len(cols)))])
        ctes.append(
            f"i{k} AS (INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"SELECT {picked} FROM s, unnest({arrays}) "
            f"AS u({', '.join(f'c{j}' for j in range(len(cols)))}))"
        )
    return "WITH " + ", ".join(ctes) + " SELECT first FROM s"


class SqlLedgerStorage:
    """Ledger storage in the database behind ``engine``.

    Methods ending in ``_in`` work inside a caller's transaction (so a unit of
    work can append events and update projections atomically); the others open
    their own.
    """

    def __init__(self, engine: Engine, cache_tiles: int = 1024) -> None:
        self.engine = engine
        # Full tiles never change in an append-only log, so proofs may reuse them.
        self._cache: OrderedDict[tuple[str, TileId], bytes] = OrderedDict()
        self._cache_size = cache_tiles
        # Threads of one process share it (a server's, a writer's watcher): a tile evicted by
        # one between another's look-up and its move to the end must not raise.
        self._cache_lock = threading.Lock()

    def __reduce__(self):  # audit workers in other processes reopen by URL
        return (_reopen, (self.engine.url.render_as_string(hide_password=False),))

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(qcert_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- sequencing ---------------------------------------------------------

    def append(self, entries: Sequence[bytes]) -> int:
        """Durably sequence ``entries`` in one transaction; return the first index."""
        with self.write() as conn:
            return self.append_in(conn, entries)

    def append_in(
        self,
        conn: Connection,
        entries: Sequence[bytes],
        indexed: Sequence[Indexed] = (),
        *,
        commit: bool = False,
    ) -> int:
        """Sequence ``entries`` inside the caller's write transaction; return the first index.

        ``indexed`` are rows of the caller's tables that name these entries by their index
        (a unit of work's event rows), inserted in the same transaction with their index
        filled in. The sequence row stays locked until the caller's transaction ends, so
        indices are given out gap-free and in commit order; on PostgreSQL the append and
        every indexed row are one statement, so the lock waits on one round trip, not many.

        With ``commit``, the append is the transaction's last statement and commits it: on
        PostgreSQL the commit goes with the append, in the same round trip, so the lock is
        held while the server appends and commits, never while this process waits for a
        turn on a CPU to send the commit (with more writers than cores, every other writer
        would queue behind it).
        """
        entries = list(entries)
        lengths = _check(entries)
        rows = []
        offset = 0
        for bundle in _bundles(entries, lengths):
            rows.append((offset, len(bundle), frame(bundle), b"".join(SHA256.leaf_hashes(bundle))))
            offset += len(bundle)
        indexed = [ix for ix in indexed if ix.rows]
        if conn.dialect.name == "postgresql" and rows:
            first = self._append_pg(conn, len(entries), rows, indexed, commit)
        else:
            found = self._append(conn, len(entries), rows)
            if found is None:  # the first append of all: the sequence row is not there yet
                self._lock(conn, SEQUENCE)
                return self.append_in(conn, entries, indexed, commit=commit)
            first = found
            for ix in indexed:
                _insert_indexed(conn, ix, first)
        if commit:
            # On PostgreSQL the commit went with the append: this ends SQLAlchemy's transaction
            # (the driver has none left to commit).
            conn.commit()
        return first

    @staticmethod
    def _append(conn: Connection, count: int, rows: list[tuple]) -> int | None:
        # The hot path of every append: plain SQL, two statements. The first both locks the
        # sequence row and reserves the indices.
        found = plain.run(conn, _RESERVE, (count, SEQUENCE))
        if not found:
            return None
        first = found[0][0] - count
        plain.run_many(conn, _BUNDLE, [(first + at, *bundle) for at, *bundle in rows])
        return first

    @staticmethod
    def _append_pg(
        conn: Connection,
        count: int,
        rows: list[tuple],
        indexed: Sequence[Indexed],
        commit: bool = False,
    ) -> int:
        """One statement: lock the sequence row and take ``count`` indices, insert the bundles
        and every indexed row (data-modifying CTEs, each row's arrays unnested); with
        ``commit``, the COMMIT pipelined after it."""
        shape = tuple(
            (ix.table, ix.column, tuple(n for n in ix.rows[0][1] if n != ix.column))
            for ix in indexed
        )
        params: dict[str, object] = {"n": count, "name": SEQUENCE}
        params.update({f"a0_{j}": list(col) for j, col in enumerate(zip(*rows, strict=True))})
        for k, (ix, (_, _, names)) in enumerate(zip(indexed, shape, strict=True), start=1):
            params[f"a{k}_0"] = [at for at, _ in ix.rows]
            params.update({f"a{k}_{j}": [r[n] for _, r in ix.rows] for j, n in enumerate(names, 1)})
        sql = _append_sql(conn.dialect, shape)
        raw = conn.connection.driver_connection  # psycopg's: SQLAlchemy has no pipelines
        if not (commit and _pipelines(raw)):
            return int(conn.exec_driver_sql(sql, params).scalar_one())
        try:
            with raw.pipeline():
                cursor = raw.cursor()
                cursor.execute(sql, params)
                raw.commit()  # queued behind the append; both sent, then both answered
                first = cursor.fetchone()
        except conn.dialect.loaded_dbapi.Error as err:
            # As SQLAlchemy would raise it (IntegrityError, OperationalError...); the
            # transaction is left for the caller to roll back.
            raise sa.exc.DBAPIError.instance(
                sql, params, err, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from err
        return int(first[0])

    def _lock(self, conn: Connection, name: str) -> int:
        row = conn.execute(
            sa.select(state_table.c.size).where(state_table.c.name == name).with_for_update()
        ).first()
        if row is None:
            conn.execute(state_table.insert().values(name=name, size=0))
            return 0
        return int(row[0])

    def _set(self, conn: Connection, name: str, size: int) -> None:
        conn.execute(state_table.update().where(state_table.c.name == name).values(size=size))

    # -- sizes --------------------------------------------------------------

    def size(self) -> int:
        """Number of entries durably sequenced."""
        with self.read() as conn:
            return self._size(conn, SEQUENCE)

    def integrated_size(self, suite: HashSuite) -> int:
        """Number of leaves in ``suite``'s tree."""
        with self.read() as conn:
            return self._size(conn, suite.name)

    @staticmethod
    def _size(conn: Connection, name: str) -> int:
        value = conn.execute(
            sa.select(state_table.c.size).where(state_table.c.name == name)
        ).scalar()
        return int(value or 0)

    # -- integration --------------------------------------------------------

    def integrate(self, suite: HashSuite, up_to: int | None = None) -> int:
        """Hash sequenced entries into ``suite``'s tree up to ``up_to`` (default: all).

        Commits every 65,536 leaves so a crash loses at most one chunk of work.
        Returns the integrated size.
        """
        while True:
            # Hash outside the write lock, so appends never wait for it; then write only if
            # no other integrator of this suite moved the tree meanwhile.
            with self.read() as conn:
                done = self._size(conn, suite.name)
                target = self._size(conn, SEQUENCE) if up_to is None else up_to
                if done >= target:
                    return done
                end = min(target, done - done % _INTEGRATE_CHUNK + _INTEGRATE_CHUNK)
                entries = self._entries(conn, done, end)
                partials = self._tiles(conn, suite.name, partial_tiles(done))
            leaves = b"".join(suite.leaf_hashes(entries))
            writes = integrate(suite, done, leaves, partials)
            with self.write() as conn:
                if self._lock(conn, suite.name) != done:
                    continue
                inserts = [
                    {"suite": suite.name, "level": w.tile[0], "idx": w.tile[1], "hashes": w.hashes}
                    for w in writes
                    if not w.existed
                ]
                for w in writes:
                    if w.existed:
                        conn.execute(
                            tiles_table.update()
                            .where(
                                tiles_table.c.suite == suite.name,
                                tiles_table.c.level == w.tile[0],
                                tiles_table.c.idx == w.tile[1],
                            )
                            .values(hashes=w.hashes)
                        )
                if inserts:
                    conn.execute(tiles_table.insert(), inserts)
                self._set(conn, suite.name, end)

    # -- reads --------------------------------------------------------------

    def tiles(
        self, suite: HashSuite, ids: Sequence[TileId], cached: bool = False
    ) -> dict[TileId, bytes]:
        """Current content of the tiles ``ids`` of ``suite`` (missing ones are absent).

        With ``cached``, full tiles read before come from memory; audits never
        ask for that.
        """
        found: dict[TileId, bytes] = {}
        if cached:
            with self._cache_lock:
                for tile in ids:
                    blob = self._cache.get((suite.name, tile))
                    if blob is not None:
                        self._cache.move_to_end((suite.name, tile))
                        found[tile] = blob
            ids = [t for t in ids if t not in found]
        if ids:
            with self.read() as conn:
                fresh = self._tiles(conn, suite.name, ids)
            found.update(fresh)
            if cached:
                with self._cache_lock:
                    for tile, blob in fresh.items():
                        if is_full(suite, blob):
                            self._cache[(suite.name, tile)] = blob
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return found

    def tile_level(self, suite: HashSuite, level: int) -> Iterator[tuple[int, bytes]]:
        """All tiles of one level, in index order."""
        with self.read() as conn:
            rows = conn.execute(
                sa.select(tiles_table.c.idx, tiles_table.c.hashes)
                .where(tiles_table.c.suite == suite.name, tiles_table.c.level == level)
                .order_by(tiles_table.c.idx)
            )
            for idx, hashes in rows:
                yield int(idx), bytes(hashes)

    @staticmethod
    def _tiles(conn: Connection, suite: str, ids: Sequence[TileId]) -> dict[TileId, bytes]:
        if not ids:
            return {}
        rows = conn.execute(
            sa.select(tiles_table.c.level, tiles_table.c.idx, tiles_table.c.hashes).where(
                tiles_table.c.suite == suite,
                sa.tuple_(tiles_table.c.level, tiles_table.c.idx).in_(list(ids)),
            )
        )
        return {(int(lv), int(ix)): bytes(h) for lv, ix, h in rows}

    def entry(self, index: int) -> bytes:
        """The entry at ``index``."""
        with self.read() as conn:
            size = self._size(conn, SEQUENCE)
            if not 0 <= index < size:
                raise IndexOutOfRange(f"index {index} is past the ledger's size {size}")
            return next(iter(self._entries(conn, index, index + 1)))

    def entries(self, begin: int, end: int) -> list[bytes]:
        """Entries ``[begin, end)``."""
        with self.read() as conn:
            return self._entries(conn, begin, end)

    def entries_at(self, indices: Sequence[int]) -> dict[int, bytes]:
        """The entries at ``indices`` (any order), reading only the rows that hold them: a
        body's events lie among every other body's, so a span would read several times as
        many. An index past the ledger's size is an :class:`IndexOutOfRange`."""
        wanted = sorted(set(indices))
        found: dict[int, bytes] = {}
        if not wanted:
            return found
        e = entries_table.c
        with self.read() as conn:
            size = self._size(conn, SEQUENCE)
            if wanted[0] < 0 or wanted[-1] >= size:
                bad = wanted[0] if wanted[0] < 0 else wanted[-1]
                raise IndexOutOfRange(f"index {bad} is past the ledger's size {size}")
            # Most rows hold one entry, so first ask for the rows that start at a wanted index.
            for at in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[at : at + _IN_CHUNK]
                rows = conn.execute(
                    sa.select(e.first_index, e.count, e.data).where(e.first_index.in_(chunk))
                )
                for first, count, data in rows:
                    for n, entry in enumerate(unframe(bytes(data), int(count)), start=int(first)):
                        found[n] = entry
            for index in wanted:  # the rest lie inside a row that starts before them
                if index not in found:
                    for bundle, _, _ in self._bundles_over(conn, index, index + 1):
                        found.update(enumerate(unframe(bundle.data, bundle.count), bundle.first))
        return {index: found[index] for index in wanted}

    def sealed(self, begin: int, end: int) -> tuple[list[bytes], bytes]:
        """Entries ``[begin, end)`` and the SHA-256 leaf hashes sealed when they were
        sequenced (32 bytes per entry), read in one snapshot."""
        with self.read() as conn:
            entries: list[bytes] = []
            leaves: list[bytes] = []
            for bundle, lo, hi in self._bundles_over(conn, begin, end):
                entries.extend(unframe(bundle.data, bundle.count, lo, hi))
                leaves.append(bundle.leaves[32 * lo : 32 * hi])
            self._check_count(entries, begin, end)
            return entries, b"".join(leaves)

    @classmethod
    def _entries(cls, conn: Connection, begin: int, end: int) -> list[bytes]:
        out: list[bytes] = []
        for bundle, lo, hi in cls._bundles_over(conn, begin, end):
            out.extend(unframe(bundle.data, bundle.count, lo, hi))
        cls._check_count(out, begin, end)
        return out

    @staticmethod
    def _bundles_over(conn: Connection, begin: int, end: int) -> Iterator[tuple[Bundle, int, int]]:
        """The rows holding entries ``[begin, end)``, each with the slice of it in range; a
        gap between rows is an error."""
        if begin >= end:
            return
        e = entries_table.c
        start = (
            sa.select(sa.func.max(e.first_index)).where(e.first_index <= begin).scalar_subquery()
        )
        rows = conn.execute(
            sa.select(e.first_index, e.count, e.data, e.leaves)
            .where(e.first_index >= sa.func.coalesce(start, 0), e.first_index < end)
            .order_by(e.first_index)
        )
        expect = None
        for first, count, data, leaves in rows:
            if expect is not None and first != expect:
                raise LedgerError(f"entries {expect}..{first - 1} are missing from storage")
            expect = first + count
            bundle = Bundle(int(first), int(count), bytes(data), bytes(leaves))
            yield bundle, max(begin - first, 0), min(end - first, count)

    @staticmethod
    def _check_count(out: Sequence[bytes], begin: int, end: int) -> None:
        if len(out) != end - begin:
            raise LedgerError(f"storage returned {len(out)} entries for [{begin}, {end})")

    def bundle_spans(self) -> Iterator[tuple[int, int]]:
        """``(first_index, count)`` of every entry row, in order, streamed (for audits of
        contiguity)."""
        with self.read() as conn:
            e = entries_table.c
            rows = conn.execution_options(yield_per=10_000).execute(
                sa.select(e.first_index, e.count).order_by(e.first_index)
            )
            for first, count in rows:
                yield int(first), int(count)

    # -- checkpoints --------------------------------------------------------

    def save_checkpoint(self, suite: HashSuite, size: int, note: str) -> None:
        """Store a signed checkpoint as ``suite``'s next one.

        A checkpoint of a size already stored is not stored again: once published it is never
        replaced (SM2 signatures differ each time, so a second signing of the same tree would
        otherwise change what was published). Checkpoints are stored in the order of their
        sizes: one smaller than the newest is refused, since a verifier holding the newest
        would take it for a rollback. ``signed_at`` never runs backwards, whatever the clock.
        """
        counter = checkpoint_counter(suite)
        c = checkpoints_table.c
        for attempt in range(3):
            try:
                with self.write() as conn:
                    newest = self._lock(conn, counter)
                    if conn.execute(
                        sa.select(c.size).where(c.suite == suite.name, c.size == size)
                    ).first():
                        return
                    last = conn.execute(
                        sa.select(c.size, c.signed_at).where(c.suite == suite.name, c.seq == newest)
                    ).first()
                    now = datetime.now(UTC)
                    if last is not None:
                        if size < last.size:
                            raise LedgerError(
                                f"{suite.name}: a checkpoint of size {size} cannot follow the "
                                f"one of size {last.size}: checkpoints are signed in order"
                            )
                        now = max(now, _utc(last.signed_at))
                    conn.execute(
                        checkpoints_table.insert().values(
                            suite=suite.name, size=size, note=note, signed_at=now, seq=newest + 1
                        )
                    )
                    self._set(conn, counter, newest + 1)
                    return
            except sa.exc.IntegrityError:
                # Two first checkpoints raced to create the counter row: take it again.
                if attempt == 2:
                    raise

    def latest_checkpoint(self, suite: HashSuite) -> str | None:
        """The stored checkpoint of ``suite`` with the largest size, if any."""
        with self.read() as conn:
            c = checkpoints_table.c
            return conn.execute(
                sa.select(c.note).where(c.suite == suite.name).order_by(c.size.desc()).limit(1)
            ).scalar()

    def latest_witnessed(
        self, suite: HashSuite, witnesses: Sequence[str], quorum: int, size: int | None = None
    ) -> tuple[str, list[str]] | None:
        """The newest stored checkpoint of ``suite`` (or the one of ``size``) that at least
        ``quorum`` of ``witnesses`` (verifier keys) cosigned, with their cosignature lines."""
        c, w = checkpoints_table.c, cosignatures_table.c
        count = (
            sa.select(sa.func.count())
            .where(w.suite == c.suite, w.size == c.size, w.witness.in_(list(witnesses)))
            .scalar_subquery()
        )
        query = sa.select(c.size, c.note).where(c.suite == suite.name, count >= quorum)
        if size is not None:
            query = query.where(c.size == size)
        with self.read() as conn:
            row = conn.execute(query.order_by(c.size.desc()).limit(1)).first()
            if row is None:
                return None
            lines = conn.execute(
                sa.select(w.line)
                .where(w.suite == suite.name, w.size == row.size, w.witness.in_(list(witnesses)))
                .order_by(w.witness)
            ).scalars()
            return row.note, list(lines)

    def save_cosignature(self, suite: HashSuite, size: int, witness: str, line: str) -> None:
        """Keep ``witness``'s cosignature line on the stored checkpoint of ``suite`` at ``size``
        (the first one kept stays: a later one of the same witness adds nothing)."""
        values = {
            "suite": suite.name,
            "size": size,
            "witness": witness,
            "line": line,
            "received_at": datetime.now(UTC),
        }
        w = cosignatures_table.c
        with self.write() as conn:
            if conn.execute(
                sa.select(w.size).where(w.suite == suite.name, w.size == size, w.witness == witness)
            ).first():
                return
            try:
                with conn.begin_nested():
                    conn.execute(cosignatures_table.insert().values(**values))
            except sa.exc.IntegrityError:
                pass  # another worker kept the same witness's line first

    def cosignature_rows(self, suite: HashSuite) -> Iterator[tuple[int, str, str]]:
        """``(size, witness vkey, line)`` of every cosignature kept on ``suite``, streamed."""
        w = cosignatures_table.c
        with self.read() as conn:
            rows = conn.execution_options(yield_per=1000).execute(
                sa.select(w.size, w.witness, w.line)
                .where(w.suite == suite.name)
                .order_by(w.size, w.witness)
            )
            for size, witness, line in rows:
                yield int(size), witness, line

    def witnessed_size(self, suite: HashSuite, witness: str) -> int:
        """The largest size of ``suite`` that ``witness`` cosigned (0 when none)."""
        w = cosignatures_table.c
        with self.read() as conn:
            value = conn.execute(
                sa.select(sa.func.max(w.size)).where(w.suite == suite.name, w.witness == witness)
            ).scalar()
        return int(value or 0)

    def checkpoint_at(self, suite: HashSuite, size: int) -> str | None:
        """The stored checkpoint of ``suite`` at exactly ``size``, if any."""
        with self.read() as conn:
            c = checkpoints_table.c
            return conn.execute(
                sa.select(c.note).where(c.suite == suite.name, c.size == size)
            ).scalar()

    def checkpoints(self, suite: HashSuite | None = None) -> Iterator[StoredCheckpoint]:
        """Every stored checkpoint (of ``suite``, or of all), by suite and number, streamed."""
        with self.read() as conn:
            c = checkpoints_table.c
            query = sa.select(c.suite, c.seq, c.size, c.note, c.signed_at).order_by(c.suite, c.seq)
            if suite is not None:
                query = query.where(c.suite == suite.name)
            for name, seq, size, note, at in conn.execution_options(yield_per=1000).execute(query):
                yield StoredCheckpoint(name, int(seq), int(size), note, _utc(at))

    def checkpoint_count(self, suite: HashSuite) -> int:
        """The number of ``suite``'s newest checkpoint, as its counter row holds it."""
        with self.read() as conn:
            return self._size(conn, checkpoint_counter(suite))


def _pipelines(raw: object) -> bool:
    """Whether a PostgreSQL driver connection sends statements without waiting for each one's
    answer (psycopg 3's pipeline mode, with libpq 14 or later)."""
    return hasattr(raw, "pipeline") and _pipeline_mode()


@cache
def _pipeline_mode() -> bool:
    try:
        from psycopg import Pipeline
    except ImportError:
        return False
    return bool(Pipeline.is_supported())


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _reopen(url: str) -> SqlLedgerStorage:
    from .engine import create_engine

    return SqlLedgerStorage(create_engine(url))
