"""The verifiable event ledger: qcert's spine.

An append-only log whose entries are leaves of two parallel RFC 9162 Merkle
trees (SHA-256 and SM3), with C2SP signed checkpoints, inclusion and
consistency proofs, tlog-proof bundles and an offline verifier. The core has no
I/O; storage drivers live in ``qcert.ledger.storage``. Nothing here imports
any other part of qcert.

The verbs, as on the command line: ``Ledger.append``, ``Ledger.checkpoint``
(``Ledger.sign_due`` on a schedule), ``Ledger.prove_signed``,
``Ledger.consistency``, :func:`verify_proof` and ``Ledger.audit``.
"""

from .audit import AuditReport
from .bundle import ProofBundle
from .checkpoint import Checkpoint, StoredCheckpoint
from .errors import (
    BundleFormatError,
    CheckpointError,
    EntryTooLarge,
    IndexOutOfRange,
    KeyFormatError,
    LedgerError,
    ProofError,
    RootMismatch,
    SignatureError,
)
from .hashing import SHA256, SM3, SUITES, HashSuite, suite_by_name
from .log import ConsistencyProof, Ledger
from .note import (
    generate_ed25519,
    generate_sm2,
    open_note,
    parse_signer,
    parse_verifier,
    sign_note,
)
from .proof import verify_consistency, verify_inclusion
from .verify import VerifiedInclusion, verify_checkpoint, verify_proof

__all__ = [
    "SHA256",
    "SM3",
    "SUITES",
    "AuditReport",
    "BundleFormatError",
    "Checkpoint",
    "CheckpointError",
    "ConsistencyProof",
    "EntryTooLarge",
    "HashSuite",
    "IndexOutOfRange",
    "KeyFormatError",
    "Ledger",
    "LedgerError",
    "ProofBundle",
    "ProofError",
    "RootMismatch",
    "SignatureError",
    "StoredCheckpoint",
    "VerifiedInclusion",
    "generate_ed25519",
    "generate_sm2",
    "open_note",
    "parse_signer",
    "parse_verifier",
    "sign_note",
    "suite_by_name",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_proof",
]
