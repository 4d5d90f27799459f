"""Public answers kept ready, each valid for as long as the store has not changed.

A certificate is looked up and a credential checked far more often than anything
changes (every scan of a printed QR code asks the same question), so the public
endpoints keep each serialized answer with the store version it was computed at
and serve it again while the version is unchanged. Any commit (an event, a
credential, a status list) changes the version, so no answer outlives what it
says. The version is SQLite's ``PRAGMA data_version`` on a connection of our own
(it moves whenever another connection commits), or the ledger size on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import sqlalchemy as sa

__all__ = ["AnswerCache", "store_version"]


def store_version(engine: sa.Engine) -> Callable[[], int]:
    """A cheap function that returns a different number after any commit to ``engine``."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        conn = sqlite3.connect(engine.url.database, check_same_thread=False)
        lock = threading.Lock()
        # data_version counts commits by *other* connections; this one never writes.

        def sqlite_version() -> int:
            with lock:
                return int(conn.execute("PRAGMA data_version").fetchone()[0])

        return sqlite_version
    query = sa.text("SELECT size FROM ledger_state WHERE name = 'sequence'")

    def ledger_size() -> int:
        with engine.connect() as c:
            return int(c.execute(query).scalar() or 0)

    return ledger_size


class AnswerCache:
    """At most ``capacity`` serialized answers, least recently used first out."""

    def __init__(self, version: Callable[[], int], capacity: int = 10_000) -> None:
        self.version = version
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int) -> bytes | None:
        """The answer stored under ``key`` at ``version``, if any."""
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != version:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, version: int, answer: bytes) -> None:
        with self._lock:
            self._entries[key] = (version, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
