"""The standalone verifier: a bundle, the entry and a verifier key are enough."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .bundle import ProofBundle
from .checkpoint import Checkpoint
from .cosignature import CosignatureVerifier, cosignatures
from .errors import SignatureError
from .hashing import SUITES, HashSuite
from .note import Verifier, open_note, parse_verifier
from .proof import verify_inclusion

__all__ = ["VerifiedInclusion", "suite_for_origin", "verify_checkpoint", "verify_proof"]


@dataclass(frozen=True)
class VerifiedInclusion:
    """What a successful verification established."""

    index: int
    checkpoint: Checkpoint
    suite: str
    signed_by: tuple[str, ...]
    cosigned_by: tuple[str, ...] = ()


def _verifiers(vkeys: Sequence[str | Verifier]) -> list[Verifier]:
    return [parse_verifier(k) if isinstance(k, str) else k for k in vkeys]


def suite_for_origin(origin: str, log_name: str) -> HashSuite:
    """The suite of the log whose checkpoints carry ``origin``, signed by key ``log_name``."""
    for suite in SUITES.values():
        if origin == log_name + suite.origin_suffix:
            return suite
    raise SignatureError(f"checkpoint origin {origin!r} is not a log of key {log_name!r}")


def verify_checkpoint(
    note: str, vkeys: Sequence[str | Verifier]
) -> tuple[Checkpoint, HashSuite, list[Verifier]]:
    """Check a signed checkpoint's signatures and origin; return it with its suite."""
    text, good = open_note(note, _verifiers(vkeys))
    checkpoint = Checkpoint.parse(text)
    suite = suite_for_origin(checkpoint.origin, good[0].name)
    return checkpoint, suite, good


def verify_proof(
    bundle: str | ProofBundle,
    entry: bytes,
    vkeys: Sequence[str | Verifier],
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
) -> VerifiedInclusion:
    """Verify that ``entry`` is in the log, offline.

    Checks the checkpoint's signatures against ``vkeys``, picks the hash suite
    from its origin, requires ``quorum`` valid cosignatures by distinct ``witnesses``
    (C2SP tlog-cosignature: so the log cannot show this tree to one reader and
    another to the next), and checks the inclusion proof (RFC 9162 2.1.3.2).
    Raises a ``LedgerError`` subclass saying which check failed.
    """
    parsed = bundle if isinstance(bundle, ProofBundle) else ProofBundle.parse(bundle)
    checkpoint, suite, good = verify_checkpoint(parsed.checkpoint, vkeys)
    cosigned = cosignatures(parsed.checkpoint, witnesses) if witnesses else []
    if len(cosigned) < quorum:
        raise SignatureError(
            f"the checkpoint is cosigned by {len(cosigned)} of the witnesses given, "
            f"{quorum} required"
        )
    verify_inclusion(
        suite,
        parsed.index,
        checkpoint.size,
        suite.leaf_hash(entry),
        parsed.hashes,
        checkpoint.root,
    )
    return VerifiedInclusion(
        parsed.index,
        checkpoint,
        suite.name,
        tuple(v.vkey() for v in good),
        tuple(c.witness.vkey() for c in cosigned),
    )
