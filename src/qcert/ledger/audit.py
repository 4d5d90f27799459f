"""Full audit: every sequenced entry, every stored hash, every checkpoint.

- Every sequenced entry against the SHA-256 leaf hash sealed when it was sequenced, including
  those no tree holds yet (an entry edited after it was acknowledged is found at once).
- Every leaf and interior hash of both trees recomputed from the entries.
- Every stored checkpoint, in order: no number missing, signed, the recomputed root, and
  consistent with the one before (:mod:`qcert.ledger.continuity`).
- Optionally, checkpoints seen outside the store: still on its line (no rollback, no fork).

Work is split in chunks of 65,536 leaves (one level-1 tile's worth) per suite, audited in
worker processes when the log is large enough to pay for them. Memory holds one chunk per
worker, one level-1 hash per 256 leaves and one checkpoint at a time: it does not grow with
the number of entries or checkpoints beyond that.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .continuity import check_line, check_seen
from .errors import LedgerError
from .hashing import SHA256, HashSuite, suite_by_name
from .tiles import TILE_WIDTH, full_tile, is_full
from .workers import process_context

if TYPE_CHECKING:
    from .log import Ledger

__all__ = ["AuditReport", "audit", "audit_chunk"]

CHUNK = TILE_WIDTH * TILE_WIDTH
_PARALLEL_FROM = 4 * CHUNK
_PER_CHUNK = 5  # sealed-hash mismatches named per chunk; the rest are counted


@dataclass
class AuditReport:
    """Outcome of an audit: sizes covered and every problem found."""

    sequenced: int = 0
    integrated: dict[str, int] = field(default_factory=dict)
    checkpoints: int = 0
    signed: dict[str, int] = field(default_factory=dict)
    seen: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chunk(
    storage, suite_name: str, begin: int, end: int, integrated: int | None = None
) -> tuple[list[str], bytes]:
    """Check entries ``[begin, end)`` of one suite.

    For SHA-256, every entry against the leaf hash sealed when it was sequenced. Then the
    leaves below ``integrated`` (default ``end``) against the suite's level-0 tiles. Returns
    the problems found and the roots of the full tiles, which are the level-1 hashes the
    caller checks next. ``begin`` is a multiple of 256.
    """
    suite = suite_by_name(suite_name)
    integrated = end if integrated is None else min(integrated, end)
    problems: list[str] = []
    try:
        if suite is SHA256:
            entries, sealed = storage.sealed(begin, end)
        else:
            entries, sealed = storage.entries(begin, integrated), b""
    except LedgerError as err:
        return [f"{suite.name}: entries [{begin}, {end}): {err}"], b""
    leaves = b"".join(suite.leaf_hashes(entries))
    if sealed and sealed != leaves:
        problems += _unsealed(leaves, sealed, begin, integrated)
    leaves = leaves[: (integrated - begin) * suite.size]
    if integrated <= begin:
        return problems, b""
    first, last = begin // TILE_WIDTH, (integrated - 1) // TILE_WIDTH
    stored = storage.tiles(suite, [(0, t) for t in range(first, last + 1)])
    span = TILE_WIDTH * suite.size
    roots = []
    for t in range(first, last + 1):
        lo = (t - first) * span
        expected = _expected_tile(suite, leaves[lo : lo + span])
        got = stored.get((0, t))
        if got != expected:
            problems.append(_tile_problem(suite, 0, t, got, expected, t * TILE_WIDTH))
        if is_full(suite, expected):
            roots.append(expected[-suite.size :])
    return problems, b"".join(roots)


def _unsealed(leaves: bytes, sealed: bytes, begin: int, integrated: int) -> list[str]:
    """The entries whose leaf hash is not the one sealed when they were sequenced."""
    size = SHA256.size
    wrong = [
        begin + i // size
        for i in range(0, max(len(leaves), len(sealed)), size)
        if leaves[i : i + size] != sealed[i : i + size]
    ]
    out = []
    for index in wrong[:_PER_CHUNK]:
        tree = "in the tree" if index < integrated else "not yet in a tree"
        out.append(
            f"entry {index} ({tree}) differs from the leaf hash sealed when it was sequenced"
        )
    if len(wrong) > _PER_CHUNK:
        out.append(f"... and {len(wrong) - _PER_CHUNK} more entries from {wrong[_PER_CHUNK]}")
    return out


def _expected_tile(suite: HashSuite, row: bytes) -> bytes:
    return full_tile(suite, row) if len(row) == TILE_WIDTH * suite.size else row


def _tile_problem(
    suite: HashSuite, level: int, tile: int, got: bytes | None, want: bytes, base: int
) -> str:
    name = f"{suite.name}: tile {level}/{tile}"
    if got is None:
        return f"{name} is missing"
    size = suite.size
    for i in range(0, min(len(got), len(want)), size):
        if got[i : i + size] != want[i : i + size]:
            at = i // size
            if at >= TILE_WIDTH:
                return f"{name}: stored interior hash {at - TILE_WIDTH} differs from recomputed"
            what = "leaf hash" if level == 0 else f"node hash at height {8 * level}"
            return f"{suite.name}: stored {what} {base + at} ({name}) differs from recomputed"
    return f"{name} holds {len(got) // size} hashes, expected {len(want) // size}"


def _check_upper_levels(ledger: Ledger, suite: HashSuite, row: bytes, report: AuditReport) -> None:
    """Compare stored tiles of levels >= 1 with hashes recomputed from the level below."""
    span = TILE_WIDTH * suite.size
    level = 1
    while row:
        stored = dict(ledger.storage.tile_level(suite, level))
        count = (len(row) + span - 1) // span
        roots = []
        for t in range(count):
            expected = _expected_tile(suite, row[t * span : (t + 1) * span])
            if stored.get(t) != expected:
                report.problems.append(
                    _tile_problem(suite, level, t, stored.get(t), expected, t * TILE_WIDTH)
                )
            if is_full(suite, expected):
                roots.append(expected[-suite.size :])
        for t in sorted(set(stored) - set(range(count))):
            report.problems.append(f"{suite.name}: tile {level}/{t} is beyond the tree")
        row = b"".join(roots)
        level += 1


def _check_entries(ledger: Ledger, report: AuditReport) -> None:
    expect = 0
    for first, count in ledger.storage.bundle_spans():
        if first != expect:
            report.problems.append(f"entries: rows jump from index {expect} to {first}")
        expect = first + count
    if expect != report.sequenced:
        report.problems.append(
            f"entries: rows hold {expect} entries, the log says {report.sequenced}"
        )


def audit(
    ledger: Ledger,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    seen: Iterable[str] = (),
) -> AuditReport:
    """Audit ``ledger``: entries contiguous and as sealed, every stored hash recomputed, every
    checkpoint checked in order, and each checkpoint in ``seen`` (notes a verifier or witness
    kept) still on the log's line.

    ``progress`` is called with the number of leaves just audited (summed over suites, the
    SHA-256 suite counting every sequenced entry). ``workers`` processes share the hashing
    (default: one per CPU for large logs, none for small ones).
    """
    storage = ledger.storage
    report = AuditReport(sequenced=storage.size())
    _check_entries(ledger, report)
    tasks = []
    for suite in ledger.suites:
        n = storage.integrated_size(suite)
        report.integrated[suite.name] = n
        # SHA-256 chunks run to the sequenced size: entries no tree holds yet are still sealed.
        span = max(n, report.sequenced) if suite is SHA256 else n
        tasks += [(suite.name, a, min(a + CHUNK, span), n) for a in range(0, span, CHUNK)]
    total = sum(t[2] - t[1] for t in tasks)
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= _PARALLEL_FROM else 0
    rows: dict[str, list[bytes]] = {s.name: [] for s in ledger.suites}

    def collect(task: tuple[str, int, int, int], result: tuple[list[str], bytes]) -> None:
        report.problems.extend(result[0])
        rows[task[0]].append(result[1])
        if progress:
            progress(task[2] - task[1])

    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
            futures = [pool.submit(audit_chunk, storage, *t) for t in tasks]
            for task, fut in zip(tasks, futures, strict=True):
                collect(task, fut.result())
    else:
        for task in tasks:
            collect(task, audit_chunk(storage, *task))
    for suite in ledger.suites:
        _check_upper_levels(ledger, suite, b"".join(rows[suite.name]), report)
    for suite in ledger.suites:
        count, problems = check_line(ledger, suite, report.integrated[suite.name])
        report.checkpoints += count
        report.signed[suite.name] = ledger.signed_size(suite)
        report.problems += problems
    seen = list(seen)
    report.seen = len(seen)
    report.problems += check_seen(ledger, seen)
    return report
