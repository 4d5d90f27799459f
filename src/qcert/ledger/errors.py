"""Errors of the ledger. Each carries a one-line message fit for a terminal."""

from __future__ import annotations

__all__ = [
    "BundleFormatError",
    "CheckpointError",
    "EntryTooLarge",
    "IndexOutOfRange",
    "KeyFormatError",
    "LedgerError",
    "ProofError",
    "RootMismatch",
    "SignatureError",
]


class LedgerError(Exception):
    """Base of every ledger error; ``str(err)`` is one line."""


class IndexOutOfRange(LedgerError):
    """An index or tree size beyond the tree, or sizes in the wrong order."""


class ProofError(LedgerError):
    """A proof that has the wrong shape for its index and sizes."""


class RootMismatch(ProofError):
    """A proof whose recomputed root differs from the expected one."""

    def __init__(self, what: str, expected: bytes, calculated: bytes) -> None:
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            f"{what}: calculated root {calculated.hex()} does not match expected {expected.hex()}"
        )


class CheckpointError(LedgerError):
    """A checkpoint body or signed note that does not parse."""


class SignatureError(LedgerError):
    """A note whose signatures do not verify with the given keys."""


class KeyFormatError(LedgerError):
    """A signer or verifier key string that does not parse."""


class BundleFormatError(LedgerError):
    """A tlog-proof bundle that does not parse."""


class EntryTooLarge(LedgerError):
    """An entry larger than the ledger accepts."""
