"""The windows an intake committed and nobody has anchored yet, held in memory as their trees'
right edges.

Anchoring a window needs the root of its readings' tree in sequence order. The intake that
stored them has their leaf hashes already: as it commits, it folds each unanchored window's
leaves into the window's perfect subtrees (RFC 9162 2.1.1: a tree of n leaves is the perfect
subtrees of n's binary digits, largest first, hashed together from the right), so anchoring
reads from the store only how many readings each window holds (an index range), not every
reading, and memory stays a few kilobytes a window however many readings it holds. The store
stays the authority: a window is anchored from what is held only when the store counts exactly
as many readings in it as are held (readings are only ever added, and every held one was
committed, so the same count is the same set), and only when they were committed in sequence
order. Anything else (another consumer storing some of the window, a message out of order, a
restart) is read from the store, as before.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import lt

from ..ledger import SHA256
from .window import packed_window_root

__all__ = ["CHUNK", "HELD_WINDOWS", "HeldWindow", "HeldWindows"]

HELD_WINDOWS = 1 << 14  # windows held at most (each under 9 KiB); past it, read from the store
CHUNK = 256  # leaves folded into a subtree at a time: a power of two, so each is perfect


@dataclass
class HeldWindow:
    """One device's window as committed here: the perfect subtrees of its leaves so far
    (``sizes`` in leaves, strictly decreasing, and their hashes), the leaves after them not yet
    folded (``tail``, under :data:`CHUNK` leaves of 32 bytes), its first and last seq, and
    whether every reading came in sequence order."""

    first_seq: int = -1
    last_seq: int = -1
    ordered: bool = True
    count: int = 0
    sizes: list[int] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list)
    tail: bytearray = field(default_factory=bytearray)

    def extend(self, packed: bytes) -> None:
        """Add leaf hashes packed end to end (32 bytes each), in sequence order."""
        tail = self.tail
        tail += packed
        self.count += len(packed) // 32
        step = CHUNK * 32
        whole = len(tail) // step * step
        if not whole:
            return
        sizes, hashes = self.sizes, self.hashes
        for at in range(0, whole, step):
            size, digest = CHUNK, packed_window_root(tail[at : at + step])
            while sizes and sizes[-1] == size:  # two perfect subtrees of a size make one
                sizes.pop()
                digest = SHA256.node_hash(hashes.pop(), digest)
                size *= 2
            sizes.append(size)
            hashes.append(digest)
        del tail[:whole]

    def root(self) -> bytes:
        """The root of the window's tree over every leaf held (RFC 9162 2.1.1 MTH)."""
        hashes = list(self.hashes)
        if self.tail or not hashes:
            hashes.append(packed_window_root(self.tail))
        digest = hashes.pop()
        while hashes:
            digest = SHA256.node_hash(hashes.pop(), digest)
        return digest


class HeldWindows:
    """Per device and window start (µs), what this intake committed and is not anchored.

    ``window`` is the window length (µs). :meth:`add` is called after each commit with the
    readings it stored; :meth:`drop_until` once a device is known anchored up to an instant.
    At most ``limit`` windows are held; a window begun past it is read from the store.
    """

    def __init__(self, window: int, limit: int = HELD_WINDOWS) -> None:
        self.window, self.limit = window, limit
        self.windows: dict[str, dict[int, HeldWindow]] = {}
        self.held = 0  # readings held, all devices
        self.count = 0  # windows held in sequence order, all devices

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
            if self.count >= self.limit:
                return  # read from the store when due
            held = mine[start] = HeldWindow(first_seq=seqs[0])
            self.count += 1
        elif not held.ordered:
            return
        if not (seqs[0] > held.last_seq and all(map(lt, seqs[:-1], seqs[1:]))):
            # Out of sequence order: its tree is read from the store.
            held.ordered = False
            self.held -= held.count
            self.count -= 1
            held.count, held.sizes, held.hashes, held.tail = 0, [], [], bytearray()
            return
        held.extend(b"".join(leaves))
        held.last_seq = seqs[-1]
        self.held += len(leaves)

    def drop_until(self, device: str, until: int) -> None:
        """Forget the device's windows that end at or before ``until`` (µs): anchored."""
        mine = self.windows.get(device)
        if not mine:
            return
        for start in [s for s in mine if s + self.window <= until]:
            gone = mine.pop(start)
            self.held -= gone.count
            self.count -= gone.ordered

    def window_of(self, device: str, start: int) -> HeldWindow | None:
        """The held window of ``device`` starting at ``start`` (µs), if held in order."""
        held = self.windows.get(device, {}).get(start)
        return held if held is not None and held.ordered and held.count else None
