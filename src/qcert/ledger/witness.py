"""A witness (C2SP tlog-witness ``add-checkpoint``): cosign a log's checkpoint only when it is
consistent with the newest one cosigned before, so no log can roll back or show two views.

For each log it follows (named by its checkpoint origin, with the log's verifier keys and hash
suite) the witness keeps the newest checkpoint it cosigned. A request carries the size the log
believes the witness holds (``old``), a consistency proof from that size and the new signed
checkpoint. The checks, in the order the reference implementations take them:

1. the request is well formed (``old N``, at most 63 proof lines of one hash each) — else
   ``malformed`` (400);
2. the origin is followed — else ``unknown-log`` (404);
3. the checkpoint is signed by a key of the log, and no known key's line is bad — else
   ``forbidden`` (403);
4. ``old`` is not above the checkpoint's size — else ``malformed`` (400); a size-0 checkpoint
   names the empty tree — else ``inconsistent`` (422);
5. ``old`` is the size the witness holds (0 before the first) — else ``conflict`` (409, with
   the size held, so the log can retry);
6. the proof shows the new tree extends the one held (an empty proof from 0; equal sizes need
   equal roots) — else ``inconsistent`` (422): a fork or a split view;
7. the new checkpoint replaces the held one only if nobody else changed it meanwhile (compare
   and swap), and only then is it cosigned.

Refusals carry the spec's HTTP status; the faces map nothing else.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from .checkpoint import Checkpoint
from .cosignature import CosignatureSigner, cosign
from .errors import LedgerError, SignatureError
from .hashing import SHA256, HashSuite
from .note import Verifier, open_note, split_note
from .proof import verify_consistency

__all__ = [
    "FollowedLog",
    "HeldCheckpoint",
    "Refusal",
    "Witness",
    "WitnessRefused",
    "WitnessState",
    "add_checkpoint_body",
    "parse_add_checkpoint",
]

MAX_PROOF_LINES = 63
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class Refusal(Enum):
    """Why a witness refuses, with the HTTP status tlog-witness gives it."""

    MALFORMED = 400
    FORBIDDEN = 403
    UNKNOWN_LOG = 404
    CONFLICT = 409
    INCONSISTENT = 422


class WitnessRefused(LedgerError):
    """A refused ``add-checkpoint``: the reason, and for a conflict the size the witness holds."""

    def __init__(
        self,
        refusal: Refusal,
        message: str,
        held: int | None = None,
        sizes: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.held = held
        # For a fork or split view: the size held and the size offered (the evidence).
        self.sizes = sizes


@dataclass(frozen=True)
class FollowedLog:
    """A log the witness follows: its origin, the keys that sign its checkpoints, its tree hash."""

    origin: str
    verifiers: tuple[Verifier, ...]
    suite: HashSuite = SHA256


@dataclass(frozen=True)
class HeldCheckpoint:
    """The newest checkpoint cosigned for a log: its size, root and the cosigned note (the log's
    verified signature lines and the witness's)."""

    origin: str
    size: int
    root: bytes
    note: str


class WitnessState(Protocol):
    """Where a witness keeps what it holds (one row per log)."""

    def held(self, origin: str) -> HeldCheckpoint | None: ...

    def swap(self, old_size: int, new: HeldCheckpoint) -> bool:
        """Store ``new`` if the held size is still ``old_size`` (0: nothing held); False if
        another request changed it first."""
        ...


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed ``add-checkpoint`` request body."""

    old: int
    proof: tuple[bytes, ...]
    note: str


def add_checkpoint_body(old: int, proof: Sequence[bytes], note: str) -> bytes:
    """The request body a log sends: ``old N``, one base64 hash per line, a blank line, the
    signed checkpoint."""
    lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + note).encode()


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse a request body; ``malformed`` (400) naming what is wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRefused(Refusal.MALFORMED, "the body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    if not blank:
        raise WitnessRefused(Refusal.MALFORMED, "no blank line before the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not match:
        raise WitnessRefused(
            Refusal.MALFORMED, "the first line must be 'old <size>' (decimal, no leading zeros)"
        )
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefused(
            Refusal.MALFORMED, f"{len(lines) - 1} proof lines; at most {MAX_PROOF_LINES}"
        )
    proof = []
    for n, line in enumerate(lines[1:], start=1):
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error:
            digest = b""
        if len(digest) != 32:
            raise WitnessRefused(Refusal.MALFORMED, f"proof line {n} is not one base64 hash")
        proof.append(digest)
    return AddCheckpoint(int(match[1]), tuple(proof), note)


class Witness:
    """A witness over ``state``, cosigning with ``signer`` the logs in ``logs`` (by origin)."""

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Callable[[str], FollowedLog | None] | Mapping[str, FollowedLog],
        state: WitnessState,
    ) -> None:
        self.signer = signer
        self._logs = logs.get if isinstance(logs, Mapping) else logs
        self.state = state

    def add_checkpoint(self, body: bytes) -> str:
        """Check and cosign the checkpoint in a request ``body``; the cosignature line.

        WitnessRefused (with its :class:`Refusal`) when any check fails; nothing is stored then.
        """
        request = parse_add_checkpoint(body)
        origin = request.note.split("\n", 1)[0]
        log = self._logs(origin)
        if log is None:
            raise WitnessRefused(
                Refusal.UNKNOWN_LOG, f"unknown log: this witness does not follow {origin!r}"
            )
        try:
            text, good = open_note(request.note, log.verifiers)
        except SignatureError as err:
            raise WitnessRefused(Refusal.FORBIDDEN, str(err)) from None
        except LedgerError as err:
            raise WitnessRefused(Refusal.MALFORMED, str(err)) from None
        try:
            checkpoint = Checkpoint.parse(text)
        except LedgerError as err:
            raise WitnessRefused(Refusal.MALFORMED, str(err)) from None
        if request.old > checkpoint.size:
            raise WitnessRefused(
                Refusal.MALFORMED,
                f"old size {request.old} is past the checkpoint's size {checkpoint.size}",
            )
        if checkpoint.size == 0 and checkpoint.root != log.suite.empty_root():
            raise WitnessRefused(Refusal.INCONSISTENT, "a tree of size 0 must be the empty tree")
        held = self.state.held(origin)
        size = held.size if held else 0
        if request.old != size:
            raise WitnessRefused(
                Refusal.CONFLICT,
                f"this witness holds size {size} of {origin!r}, not {request.old}",
                held=size,
            )
        self._check_consistent(log, held, request, checkpoint)
        line = cosign(self.signer, text)
        kept = [s.line() for s in split_note(request.note)[1] if _signed_by(s, good)]
        note = text + "\n" + "".join(kept) + line
        new = HeldCheckpoint(origin, checkpoint.size, checkpoint.root, note)
        if not self.state.swap(size, new):
            now = self.state.held(origin)
            raise WitnessRefused(
                Refusal.CONFLICT,
                f"{origin!r} moved on while this request was checked",
                held=now.size if now else 0,
            )
        return line

    @staticmethod
    def _check_consistent(
        log: FollowedLog,
        held: HeldCheckpoint | None,
        request: AddCheckpoint,
        checkpoint: Checkpoint,
    ) -> None:
        if held is None or held.size == 0:
            if request.proof:
                raise WitnessRefused(
                    Refusal.INCONSISTENT, "a proof from size 0 must be empty: nothing to prove"
                )
            return
        if held.size == checkpoint.size and held.root != checkpoint.root:
            raise WitnessRefused(
                Refusal.INCONSISTENT,
                f"split view: another tree of size {held.size} was cosigned before",
                sizes=(held.size, checkpoint.size),
            )
        try:
            verify_consistency(
                log.suite, held.size, checkpoint.size, request.proof, held.root, checkpoint.root
            )
        except LedgerError as err:
            raise WitnessRefused(
                Refusal.INCONSISTENT,
                f"consistency proof failed: not consistent with the tree of size {held.size} "
                f"cosigned before: {err}",
                sizes=(held.size, checkpoint.size),
            ) from None


def _signed_by(signature, good: Sequence[Verifier]) -> bool:  # type: ignore[no-untyped-def]
    return any(v.name == signature.name and v.key_id == signature.key_id for v in good)
