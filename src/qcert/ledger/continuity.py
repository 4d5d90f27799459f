"""A log's checkpoints as one unbroken line, and what a verifier saw still on it.

Each suite's checkpoints are numbered in the order they were signed. The line is unbroken when
the numbers run 1, 2, ... up to the newest the log recorded, sizes grow, the times never run
backwards, each checkpoint is signed by every key of the log and names the tree recomputed from
the stored entries, and each one is proved consistent with the one before (RFC 9162 2.1.4).

A checkpoint a verifier, a witness or a relying party once saw must still be on that line: a
store that no longer reaches its size was rolled back; one whose tree at that size has another
root was forked (and, when it also stores a checkpoint of that size with another root, shows
two views). Only someone outside the store can hold such a checkpoint, which is why it is
checked here from a note handed in rather than from the store's own rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .checkpoint import Checkpoint, StoredCheckpoint
from .cosignature import cosignatures, parse_cosigner
from .errors import LedgerError
from .hashing import HashSuite
from .note import split_note
from .proof import verify_consistency
from .verify import verify_checkpoint

if TYPE_CHECKING:
    from .log import Ledger

__all__ = ["check_line", "check_seen"]


def check_line(ledger: Ledger, suite: HashSuite, integrated: int) -> tuple[int, list[str]]:
    """Check ``suite``'s stored checkpoints in order; the number checked and the problems.

    Streams the rows: memory does not grow with the number of checkpoints.
    """
    problems: list[str] = []
    verifiers = ledger.verifiers()
    previous: tuple[StoredCheckpoint, Checkpoint | None] | None = None
    count = 0
    for row in ledger.storage.checkpoints(suite):
        count += 1
        where = f"checkpoint {suite.name} #{row.seq} (size {row.size})"
        expected = previous[0].seq + 1 if previous else 1
        if row.seq != expected:
            after = f"#{previous[0].seq} (size {previous[0].size})" if previous else "the start"
            gap = f"#{expected}" if row.seq == expected + 1 else f"#{expected}..#{row.seq - 1}"
            problems.append(
                f"checkpoint {suite.name} {gap} is missing: {after} is followed by "
                f"#{row.seq} (size {row.size})"
            )
        if previous and row.size <= previous[0].size:
            problems.append(
                f"{where}: size does not grow from #{previous[0].seq} (size {previous[0].size})"
            )
        if previous and row.signed_at < previous[0].signed_at:
            problems.append(
                f"{where}: stored at {row.signed_at.isoformat()}, before "
                f"#{previous[0].seq} ({previous[0].signed_at.isoformat()})"
            )
        checkpoint = _check_one(ledger, suite, row, integrated, where, verifiers, problems)
        if previous and previous[1] and checkpoint and row.size > previous[0].size:
            _check_consistent(ledger, suite, previous[1], checkpoint, where, problems)
        previous = (row, checkpoint)
    problems += _check_cosignatures(ledger, suite)
    newest = ledger.storage.checkpoint_count(suite)
    last = previous[0].seq if previous else 0
    if last < newest:
        gap = f"#{newest}" if newest == last + 1 else f"#{last + 1}..#{newest}"
        problems.append(
            f"checkpoint {suite.name} {gap} is missing: the log recorded {newest} checkpoints, "
            f"the newest stored is #{last}"
        )
    elif last > newest:
        problems.append(
            f"checkpoint {suite.name} #{last} is stored, but the log recorded only {newest}"
        )
    return count, problems


def _check_one(
    ledger: Ledger,
    suite: HashSuite,
    row: StoredCheckpoint,
    integrated: int,
    where: str,
    verifiers: list,
    problems: list[str],
) -> Checkpoint | None:
    """The checkpoint of ``row`` if it is sound (signed by every key, this suite's origin,
    the row's size, the recomputed root); else None, with the problem recorded."""
    try:
        checkpoint, signed_suite, good = verify_checkpoint(row.note, verifiers)
    except LedgerError as err:
        problems.append(f"{where}: {err}")
        return None
    unsigned = [v.vkey() for v in verifiers if v not in good]
    if unsigned:
        problems.append(f"{where}: no valid signature by {', '.join(unsigned)}")
    elif checkpoint.origin != ledger.origin_of(suite) or signed_suite is not suite:
        problems.append(f"{where}: origin {checkpoint.origin!r} is not this suite's")
    elif checkpoint.size != row.size:
        problems.append(f"{where}: note says size {checkpoint.size}")
    elif row.size > integrated:
        problems.append(f"{where}: size is past the integrated tree ({integrated})")
    elif ledger.root(row.size, suite) != checkpoint.root:
        problems.append(f"{where}: root differs from the recomputed tree")
    else:
        return checkpoint
    return None


def _check_consistent(
    ledger: Ledger,
    suite: HashSuite,
    old: Checkpoint,
    new: Checkpoint,
    where: str,
    problems: list[str],
) -> None:
    """The signed roots of two checkpoints in a row, proved consistent (RFC 9162 2.1.4.2)."""
    if old.size == 0:
        return  # nothing to be consistent with
    try:
        proof = ledger.consistency(old.size, new.size, suite)
        verify_consistency(suite, old.size, new.size, proof.hashes, old.root, new.root)
    except LedgerError as err:
        problems.append(f"{where}: not consistent with the checkpoint of size {old.size}: {err}")


def _check_cosignatures(ledger: Ledger, suite: HashSuite) -> list[str]:
    """Each kept cosignature, by the witness it names, on the checkpoint it is kept with."""
    problems: list[str] = []
    for size, witness, line in ledger.storage.cosignature_rows(suite):
        where = f"cosignature on {suite.name} size {size} by {witness}"
        note = ledger.storage.checkpoint_at(suite, size)
        try:
            key = parse_cosigner(witness)
            if note is None:
                problems.append(f"{where}: its checkpoint is not stored")
            elif not cosignatures(note + line, [key]):
                problems.append(f"{where}: the line is not this witness's")
        except LedgerError as err:
            problems.append(f"{where}: {err}")
    return problems


def check_seen(ledger: Ledger, notes: Iterable[str]) -> list[str]:
    """Problems with checkpoints seen outside the store (by a verifier or a witness): each must
    be signed by this log, within its size, and agree with its tree and its stored checkpoint
    of that size. Names both sizes when the store was rolled back."""
    problems: list[str] = []
    sequenced = ledger.storage.size()
    for note in notes:
        try:
            checkpoint, suite, _ = verify_checkpoint(note, ledger.verifiers())
        except LedgerError as err:
            problems.append(f"seen checkpoint: not one of this log's: {err}")
            continue
        if checkpoint.origin != ledger.origin_of(suite):
            problems.append(f"seen checkpoint: origin {checkpoint.origin!r} is not this log's")
            continue
        where = f"seen checkpoint {suite.name} (size {checkpoint.size})"
        newest = ledger.signed_size(suite)
        if checkpoint.size > sequenced:
            problems.append(
                f"{where}: rollback: the log was seen at size {checkpoint.size}, "
                f"the store holds {sequenced} entries (newest checkpoint: size {newest})"
            )
            continue
        stored = ledger.storage.checkpoint_at(suite, checkpoint.size)
        if stored is not None and _root_of(stored) != checkpoint.root:
            problems.append(f"{where}: split view: the store signed another tree of the same size")
            continue
        try:
            root = ledger.root(checkpoint.size, suite)
        except LedgerError as err:
            problems.append(f"{where}: cannot recompute the tree at this size: {err}")
            continue
        if root != checkpoint.root:
            problems.append(
                f"{where}: fork: the store's tree at size {checkpoint.size} is not the one seen"
            )
        elif stored is None:
            problems.append(
                f"{where}: the store has no checkpoint of this size (newest: size {newest}); "
                "it was deleted"
            )
    return problems


def _root_of(note: str) -> bytes | None:
    """The root a stored note states (None when the row is not a note at all)."""
    try:
        return Checkpoint.parse(split_note(note)[0]).root
    except LedgerError:
        return None
