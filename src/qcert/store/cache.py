"""Aggregates kept in memory between units of work, so that a command on a record this process
changed a moment ago loads only the events committed since (by other processes, if any).

A unit of work takes an aggregate out of the cache (no other unit of work can use it
meanwhile) and puts it back only after its commit succeeded, with the projection rows it
committed; a failed or refused command leaves nothing behind. Before use, the aggregate must
still stand on the same events: the event at its version must be in ``lc_events`` exactly as
it folded it (``snapshots.load``), else it is dropped and loaded afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from .projections import Keyed, Memo
from .snapshots import Loaded

__all__ = ["AggregateCache", "Kept"]


@dataclass
class Kept:
    """An aggregate as last committed by this process, with its projection rows then and
    the rows of its growing collections by what they were built from."""

    loaded: Loaded
    rows: Keyed
    memo: Memo = field(default_factory=Memo)


class AggregateCache:
    """Up to ``size`` aggregates by key (``kind:id``), least recently used dropped first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> Kept | None:
        """The aggregate ``key``, removed from the cache until it is put back."""
        with self._lock:
            return self._kept.pop(key, None)

    def put(self, key: str, kept: Kept) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
