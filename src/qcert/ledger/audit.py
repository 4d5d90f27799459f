"""Full audit: recompute every leaf and interior hash and check every checkpoint.

Work is split in chunks of 65,536 leaves (one level-1 tile's worth) per suite,
audited in worker processes when the log is large enough to pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import LedgerError
from .hashing import HashSuite, suite_by_name
from .tiles import TILE_WIDTH, full_tile, is_full
from .verify import verify_checkpoint
from .workers import process_context

if TYPE_CHECKING:
    from .log import Ledger

__all__ = ["AuditReport", "audit", "audit_chunk"]

CHUNK = TILE_WIDTH * TILE_WIDTH
_PARALLEL_FROM = 4 * CHUNK


@dataclass
class AuditReport:
    """Outcome of an audit: sizes covered and every problem found."""

    sequenced: int = 0
    integrated: dict[str, int] = field(default_factory=dict)
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chunk(storage, suite_name: str, begin: int, end: int) -> tuple[list[str], bytes]:
    """Check leaves ``[begin, end)`` of one suite against its level-0 tiles.

    Returns the problems found and the roots of the full tiles, which are the
    level-1 hashes the caller checks next. ``begin`` is a multiple of 256.
    """
    suite = suite_by_name(suite_name)
    problems: list[str] = []
    try:
        leaves = b"".join(suite.leaf_hashes(storage.entries(begin, end)))
    except LedgerError as err:
        return [f"{suite.name}: entries [{begin}, {end}): {err}"], b""
    first, last = begin // TILE_WIDTH, (end - 1) // TILE_WIDTH
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
    for first, count in ledger.storage.bundle_counts().items():
        if first != expect:
            report.problems.append(f"entries: rows jump from index {expect} to {first}")
        expect = first + count
    if expect != report.sequenced:
        report.problems.append(
            f"entries: rows hold {expect} entries, the log says {report.sequenced}"
        )


def _check_checkpoints(ledger: Ledger, report: AuditReport) -> None:
    verifiers = ledger.verifiers()
    suites = {s.name: s for s in ledger.suites}
    for name, size, note in ledger.storage.checkpoints():
        report.checkpoints += 1
        where = f"checkpoint {name}@{size}"
        suite = suites.get(name)
        if suite is None:
            report.problems.append(f"{where}: unknown suite")
            continue
        try:
            checkpoint, signed_suite, good = verify_checkpoint(note, verifiers)
        except LedgerError as err:
            report.problems.append(f"{where}: {err}")
            continue
        unsigned = [v.vkey() for v in verifiers if v not in good]
        if unsigned:
            report.problems.append(f"{where}: no valid signature by {', '.join(unsigned)}")
        elif checkpoint.origin != ledger.origin_of(suite) or signed_suite is not suite:
            report.problems.append(f"{where}: origin {checkpoint.origin!r} is not this suite's")
        elif checkpoint.size != size:
            report.problems.append(f"{where}: note says size {checkpoint.size}")
        elif size > report.integrated.get(name, 0):
            report.problems.append(f"{where}: size is past the integrated tree")
        elif ledger.root(size, suite) != checkpoint.root:
            report.problems.append(f"{where}: root differs from the recomputed tree")


def audit(
    ledger: Ledger,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Audit ``ledger``: entries contiguous, every stored hash recomputed, every checkpoint checked.

    ``progress`` is called with the number of leaves just audited (summed over
    suites). ``workers`` processes share the hashing (default: one per CPU for
    large logs, none for small ones).
    """
    storage = ledger.storage
    report = AuditReport(sequenced=storage.size())
    _check_entries(ledger, report)
    tasks = []
    for suite in ledger.suites:
        n = storage.integrated_size(suite)
        report.integrated[suite.name] = n
        tasks += [(suite.name, a, min(a + CHUNK, n)) for a in range(0, n, CHUNK)]
    total = sum(report.integrated.values())
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= _PARALLEL_FROM else 0
    rows: dict[str, list[bytes]] = {s.name: [] for s in ledger.suites}

    def collect(task: tuple[str, int, int], result: tuple[list[str], bytes]) -> None:
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
    _check_checkpoints(ledger, report)
    return report
