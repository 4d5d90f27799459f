"""The ledger: an append-only log of entries with two parallel Merkle trees.

``Ledger`` ties a storage driver to the log's origin and signing keys. It
sequences entries, integrates them into the SHA-256 and SM3 trees, signs
checkpoints, and serves inclusion and consistency proofs.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from .bundle import ProofBundle
from .checkpoint import Checkpoint, StoredCheckpoint
from .cosignature import CosignatureVerifier, cosignatures
from .errors import IndexOutOfRange, LedgerError
from .hashing import SHA256, SM3, HashSuite, suite_by_name
from .note import Signer, Verifier, sign_note
from .proof import consistency_ranges, inclusion_ranges
from .tiles import TileId, node_from_tiles, tiles_for_nodes
from .tree import NodeId, fold, range_nodes
from .workers import process_context

__all__ = ["ConsistencyProof", "Ledger", "Storage"]

_RANGE_MEMO = 1 << 16
_PARALLEL_FROM = 1 << 17


def _integrate(storage: Storage, suite: str) -> int:
    return storage.integrate(suite_by_name(suite))


class Storage(Protocol):
    """What the ledger needs from a storage driver."""

    def append(self, entries: Sequence[bytes]) -> int: ...
    def size(self) -> int: ...
    def integrated_size(self, suite: HashSuite) -> int: ...
    def integrate(self, suite: HashSuite, up_to: int | None = None) -> int: ...
    def tiles(
        self, suite: HashSuite, ids: Sequence[TileId], cached: bool = False
    ) -> dict[TileId, bytes]: ...
    def tile_level(self, suite: HashSuite, level: int) -> Iterator[tuple[int, bytes]]: ...
    def entry(self, index: int) -> bytes: ...
    def entries(self, begin: int, end: int) -> list[bytes]: ...
    def entries_at(self, indices: Sequence[int]) -> dict[int, bytes]: ...
    def sealed(self, begin: int, end: int) -> tuple[list[bytes], bytes]: ...
    def bundle_spans(self) -> Iterator[tuple[int, int]]: ...
    def save_checkpoint(self, suite: HashSuite, size: int, note: str) -> None: ...
    def latest_checkpoint(self, suite: HashSuite) -> str | None: ...
    def checkpoint_at(self, suite: HashSuite, size: int) -> str | None: ...
    def checkpoints(self, suite: HashSuite | None = None) -> Iterator[StoredCheckpoint]: ...
    def checkpoint_count(self, suite: HashSuite) -> int: ...
    def latest_witnessed(
        self, suite: HashSuite, witnesses: Sequence[str], quorum: int, size: int | None = None
    ) -> tuple[str, list[str]] | None: ...
    def save_cosignature(self, suite: HashSuite, size: int, witness: str, line: str) -> None: ...
    def witnessed_size(self, suite: HashSuite, witness: str) -> int: ...
    def cosignature_rows(self, suite: HashSuite) -> Iterator[tuple[int, str, str]]: ...


@dataclass(frozen=True)
class ConsistencyProof:
    """Hashes proving the tree at ``new`` extends the tree at ``old`` (RFC 9162 2.1.4)."""

    suite: str
    old: int
    new: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]


class Ledger:
    """An append-only, verifiable log over a storage driver.

    ``origin`` names the log (the SHA-256 tree's checkpoint origin and the
    signing keys' name); the SM3 tree's origin is ``origin + "/sm3"``. With
    ``witnesses`` and a ``quorum``, a checkpoint is published (served, used in
    proofs) only once that many of them have cosigned it.
    """

    def __init__(
        self,
        storage: Storage,
        origin: str,
        signers: Sequence[Signer] = (),
        suites: Sequence[HashSuite] = (SHA256, SM3),
        witnesses: Sequence[CosignatureVerifier] = (),
        quorum: int = 0,
    ) -> None:
        if not 0 <= quorum <= len(witnesses):
            raise LedgerError(f"quorum: {quorum} is not between 0 and {len(witnesses)} witnesses")
        self.storage = storage
        self.origin = origin
        self.signers = list(signers)
        self.suites = list(suites)
        self.witnesses = list(witnesses)
        self.quorum = quorum
        self._integrated: dict[str, int] = {}
        self._range_memo: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()

    # -- writing ------------------------------------------------------------

    def append(self, entries: Sequence[bytes]) -> list[int]:
        """Durably sequence ``entries`` in one transaction; return their indices."""
        first = self.storage.append(entries)
        return list(range(first, first + len(entries)))

    def integrate(self, workers: int | None = None) -> dict[str, int]:
        """Bring every suite's tree up to the sequenced size; return the sizes.

        With a large backlog the other suites hash in worker processes while
        this one hashes the first, so two trees cost about as much as one.
        """
        backlog = self.storage.size() - min(self.storage.integrated_size(s) for s in self.suites)
        if workers is None:
            workers = min(len(self.suites), os.cpu_count() or 1) if backlog >= _PARALLEL_FROM else 1
        if workers < 2 or len(self.suites) < 2:
            return {s.name: self.storage.integrate(s) for s in self.suites}
        with ProcessPoolExecutor(workers - 1, mp_context=process_context()) as pool:
            futures = {
                s.name: pool.submit(_integrate, self.storage, s.name) for s in self.suites[1:]
            }
            first = self.suites[0]
            done = {first.name: self.storage.integrate(first)}
            return done | {name: f.result() for name, f in futures.items()}

    def checkpoint(self, suite: HashSuite = SHA256, size: int | None = None) -> str:
        """A signed checkpoint of ``suite``'s tree at ``size`` (default: everything sequenced).

        Reuses a stored checkpoint of that size, else signs and stores a new one as the
        suite's next; a size below the newest stored checkpoint's is refused (LedgerError):
        checkpoints are signed in order.
        """
        if size is None:
            size = self.storage.integrate(suite)
        else:
            self._ensure(suite, size)
        stored = self.storage.checkpoint_at(suite, size)
        if stored is not None:
            return stored
        if not self.signers:
            raise LedgerError("no signing keys: run `qcert init` first")
        text = Checkpoint(self.origin_of(suite), size, self.root(size, suite)).text()
        self.storage.save_checkpoint(suite, size, sign_note(text, self.signers))
        # Another process may have signed this size first: the first one stored is the one.
        return self.storage.checkpoint_at(suite, size) or ""

    def sign_due(self) -> dict[str, int]:
        """Sign every suite's tree at the sequenced size if no checkpoint covers it yet; the
        sizes signed (what a server's schedule runs, never a request)."""
        size = self.storage.size()
        done: dict[str, int] = {}
        for suite in self.suites:
            if size and self.signed_size(suite) < size:
                self.checkpoint(suite)
                done[suite.name] = self.signed_size(suite)
        return done

    def signed_size(self, suite: HashSuite = SHA256) -> int:
        """The size of the newest stored checkpoint of ``suite`` (0 when there is none)."""
        note = self.storage.latest_checkpoint(suite)
        return _size_of(note) if note else 0

    def signed(self, suite: HashSuite = SHA256, size: int | None = None) -> str:
        """A published checkpoint: the newest, or the one of exactly ``size``; with a quorum of
        witnesses, only one they cosigned, with their cosignatures. Never signs:
        IndexOutOfRange when there is none."""
        if self.quorum:
            vkeys = [w.vkey() for w in self.witnesses]
            found = self.storage.latest_witnessed(suite, vkeys, self.quorum, size)
            if found is None:
                what = "yet" if size is None else f"of size {size}"
                raise IndexOutOfRange(
                    f"no checkpoint cosigned by {self.quorum} witness(es) {what}; witnesses "
                    "cosign within seconds when they are reachable"
                )
            return found[0] + "".join(found[1])
        note = (
            self.storage.latest_checkpoint(suite)
            if size is None
            else self.storage.checkpoint_at(suite, size)
        )
        if note is None:
            raise IndexOutOfRange(
                "no signed checkpoint yet" if size is None else f"no checkpoint of size {size}"
            )
        return note

    def keep_cosignature(
        self, suite: HashSuite, size: int, witness: CosignatureVerifier, line: str
    ) -> None:
        """Keep ``witness``'s cosignature ``line`` on the stored checkpoint of ``size``, once it is
        checked to cosign exactly that checkpoint (LedgerError otherwise: nothing kept)."""
        note = self.storage.checkpoint_at(suite, size)
        if note is None:
            raise IndexOutOfRange(f"no checkpoint of size {size} to keep a cosignature on")
        if not cosignatures(note + line, [witness]):
            raise LedgerError(f"witness {witness.vkey()} sent no cosignature of its own")
        self.storage.save_cosignature(suite, size, witness.vkey(), line)

    def prove_signed(self, index: int, size: int | None = None, suite: HashSuite = SHA256) -> str:
        """A tlog-proof@v1 bundle for leaf ``index`` in a checkpoint already signed (the newest,
        or the one of ``size``); never signs a new one. IndexOutOfRange when the entry is not
        yet covered by a signed checkpoint."""
        note = self.signed(suite, size)
        covered = _size_of(note)
        if not 0 <= index < covered:
            raise IndexOutOfRange(
                f"entry {index} is not in the signed checkpoint of size {covered} yet; "
                "checkpoints are signed every few seconds"
            )
        hashes = self.inclusion_proof(index, covered, suite)
        return ProofBundle(index, tuple(hashes), note).text()

    # -- reading ------------------------------------------------------------

    def origin_of(self, suite: HashSuite) -> str:
        """Checkpoint origin of ``suite``'s tree."""
        return self.origin + suite.origin_suffix

    def verifiers(self) -> list[Verifier]:
        """Verifier keys of this log's signers."""
        return [s.verifier() for s in self.signers]

    def size(self) -> int:
        """Number of entries sequenced."""
        return self.storage.size()

    def entry(self, index: int) -> bytes:
        """The entry at ``index``."""
        return self.storage.entry(index)

    def root(self, size: int | None = None, suite: HashSuite = SHA256) -> bytes:
        """Root hash of ``suite``'s tree at ``size`` (default: the integrated size)."""
        size = self._ensure(suite, size)
        if size == 0:
            return suite.empty_root()
        return self._hashes(suite, [(0, size)])[0]

    def inclusion_proof(
        self, index: int, size: int | None = None, suite: HashSuite = SHA256
    ) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of ``size`` (RFC 9162 2.1.3.1)."""
        size = self._ensure(suite, size)
        return self._hashes(suite, inclusion_ranges(index, size))

    def inclusion_proofs(
        self, indices: Sequence[int], size: int | None = None, suite: HashSuite = SHA256
    ) -> list[list[bytes]]:
        """The audit path of each leaf in ``indices`` in the tree of ``size``, as
        :meth:`inclusion_proof` gives them, reading the tiles of all of them at once."""
        size = self._ensure(suite, size)
        plans = [inclusion_ranges(index, size) for index in indices]
        hashes = iter(self._hashes(suite, [r for plan in plans for r in plan]))
        return [[next(hashes) for _ in plan] for plan in plans]

    def consistency(self, old: int, new: int, suite: HashSuite = SHA256) -> ConsistencyProof:
        """Proof that the tree at ``new`` extends the tree at ``old`` (RFC 9162 2.1.4.1)."""
        self._ensure(suite, new)
        ranges = consistency_ranges(old, new)
        hashes = self._hashes(suite, [*ranges, (0, new), (0, old)])
        return ConsistencyProof(
            suite.name, old, new, hashes[-1], hashes[-2], tuple(hashes[: len(ranges)])
        )

    def audit(
        self,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
        seen: Iterable[str] = (),
    ):
        """Check every entry, hash and checkpoint, and that each checkpoint in ``seen`` is still
        on the log's line; see :func:`qcert.ledger.audit.audit`."""
        from .audit import audit

        return audit(self, progress=progress, workers=workers, seen=seen)

    # -- helpers ------------------------------------------------------------

    def _ensure(self, suite: HashSuite, size: int | None) -> int:
        """Integrate ``suite`` far enough for ``size``; check it is within the log."""
        if size is not None and 0 <= size <= self._integrated.get(suite.name, 0):
            return size  # integrated sizes only grow, so a size seen once stays valid
        done = self.storage.integrated_size(suite)
        self._integrated[suite.name] = done
        if size is None:
            return done
        if size < 0:
            raise IndexOutOfRange(f"tree size {size} is negative")
        if size > done:
            sequenced = self.storage.size()
            if size > sequenced:
                raise IndexOutOfRange(f"tree size {size} is past the ledger's size {sequenced}")
            self.storage.integrate(suite, size)
        return size

    def _hashes(self, suite: HashSuite, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """Hash of each leaf range, reading every tile they need in one query.

        The hash of a range within the tree never changes, so recent ones are
        remembered: proofs at one size share their upper elements.
        """
        memo = self._range_memo
        todo = [r for r in dict.fromkeys(ranges) if (suite.name, *r) not in memo]
        if todo:
            plans = [range_nodes(a, b) for a, b in todo]
            needed: set[NodeId] = {n for plan in plans for n in plan}
            tiles = self.storage.tiles(suite, sorted(tiles_for_nodes(needed)), cached=True)
            for r, plan in zip(todo, plans, strict=True):
                memo[(suite.name, *r)] = fold(suite, [self._node(suite, n, tiles) for n in plan])
        out = [memo[(suite.name, *r)] for r in ranges]
        while len(memo) > _RANGE_MEMO:  # after reading: a large batch may fill it on its own
            memo.popitem(last=False)
        return out

    @staticmethod
    def _node(suite: HashSuite, node: NodeId, tiles: Mapping[TileId, bytes]) -> bytes:
        h = node_from_tiles(suite, node, tiles)
        if h is None:
            raise LedgerError(f"{suite.name} tree storage is missing node {node}; run an audit")
        return h


def _size_of(note: str) -> int:
    """The tree size a stored checkpoint note states (its second line)."""
    return int(note.split("\n", 2)[1])
