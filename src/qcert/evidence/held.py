"""The leaves of the windows an intake committed and nobody has anchored yet, held in memory.

Anchoring a window needs its readings' leaf hashes in sequence order. The intake that stored
them has them already: it keeps each unanchored window's leaves here as it commits, so
anchoring reads from the store only how many readings each window holds (an index range),
not every reading. The store stays the authority: a window is anchored from what is held
only when the store counts exactly as many readings in it as are held (readings are only
ever added, and every held one was committed, so the same count is the same set), and only
when they were committed in sequence order. Anything else (another consumer storing some of
the window, a message out of order, a restart) is read from the store, as before.

Pure: no I/O. Memory: 32 bytes a reading, for the unanchored ones only (at most ``limit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import lt

__all__ = ["HELD_LEAVES", "HeldWindow", "HeldWindows"]

HELD_LEAVES = 1 << 22  # leaves held at most (128 MiB); past it, windows are read from the store


@dataclass
class HeldWindow:
    """One device's window as committed here: its leaves (32 bytes each, in the order
    committed), its first and last seq, and whether every reading came in sequence order."""

    leaves: bytearray = field(default_factory=bytearray)
    first_seq: int = -1
    last_seq: int = -1
    ordered: bool = True

    @property
    def count(self) -> int:
        """Readings held."""
        return len(self.leaves) // 32


class HeldWindows:
    """Per device and window start (µs), what this intake committed and is not anchored.

    ``window`` is the window length (µs). :meth:`add` is called after each commit with the
    readings it stored; :meth:`drop_until` once a device is known anchored up to an instant.
    """

    def __init__(self, window: int, limit: int = HELD_LEAVES) -> None:
        self.window, self.limit = window, limit
        self.windows: dict[str, dict[int, HeldWindow]] = {}
        self.held = 0  # leaves held, all devices

    def add(
        self, device: str, seqs: Sequence[int], times: Sequence[int], leaves: Sequence[bytes]
    ) -> None:
        """Hold a device's readings just committed (seqs, times µs, leaf hashes, as sent)."""
        if not seqs:
            return
        mine = self.windows.setdefault(device, {})
        window = self.window
        first, last = min(times) // window, max(times) // window
        if first == last:  # the usual message: all of it in one window
            self._extend(mine, first * window, seqs, leaves)
            return
        groups: dict[int, tuple[list[int], list[bytes]]] = {}
        for seq, at, leaf in zip(seqs, times, leaves, strict=True):
            s, h = groups.setdefault(at // window * window, ([], []))
            s.append(seq)
            h.append(leaf)
        for start, (s, h) in sorted(groups.items()):
            self._extend(mine, start, s, h)

    def _extend(
        self, mine: dict[int, HeldWindow], start: int, seqs: Sequence[int], leaves: Sequence[bytes]
    ) -> None:
        held = mine.get(start)
        if held is None:
            if self.held + len(leaves) > self.limit:
                return  # read from the store when due
            held = mine[start] = HeldWindow(first_seq=seqs[0])
        elif not held.ordered:
            return
        in_order = seqs[0] > held.last_seq and all(map(lt, seqs[:-1], seqs[1:]))
        if not in_order or self.held + len(leaves) > self.limit:
            # Out of sequence order (or past the limit): its tree is read from the store.
            held.ordered = False
            self.held -= held.count
            held.leaves = bytearray()
            return
        held.leaves += b"".join(leaves)
        held.last_seq = seqs[-1]
        self.held += len(leaves)

    def drop_until(self, device: str, until: int) -> None:
        """Forget the device's windows that end at or before ``until`` (µs): anchored."""
        mine = self.windows.get(device)
        if not mine:
            return
        for start in [s for s in mine if s + self.window <= until]:
            self.held -= mine.pop(start).count

    def window_of(self, device: str, start: int) -> HeldWindow | None:
        """The held window of ``device`` starting at ``start`` (µs), if held in order."""
        held = self.windows.get(device, {}).get(start)
        return held if held is not None and held.ordered and held.count else None
