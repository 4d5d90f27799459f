"""Witness cosignatures on checkpoints (C2SP tlog-cosignature, Ed25519 ``cosignature/v1``).

A cosignature is a signed-note signature line by a witness, over the message

    cosignature/v1
    time <POSIX seconds>
    <the whole checkpoint text, extension lines included>

Its key type is ``0x04`` (key id ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``) and its
signature is ``timestamp (u64, big-endian) || Ed25519 signature`` (72 bytes). A cosignature
states that, at that time, this was the largest consistent tree the witness had seen of the
log named by the origin line.

Witness keys and log keys are kept apart: :func:`parse_cosigner` reads only type 0x04 keys,
and the log-key parser refuses them, so a witness can never stand in for a log or the
reverse.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import KeyFormatError, SignatureError
from .note import Signature, _check_name, _encode, _split_key, key_id, split_note

__all__ = [
    "COSIGNATURE_TYPE",
    "Cosignature",
    "CosignatureSigner",
    "CosignatureVerifier",
    "cosign",
    "cosignatures",
    "generate_cosigner",
    "parse_cosigner",
    "parse_cosigner_skey",
]

COSIGNATURE_TYPE = b"\x04"
_MAX_TIMESTAMP = 2**63 - 1


def _message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's public key (type 0x04)."""

    name: str
    public: bytes

    @property
    def typed(self) -> bytes:
        return COSIGNATURE_TYPE + self.public

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.typed)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (timestamp || Ed25519) cosigns the note text ``message``."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > _MAX_TIMESTAMP:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(
                signature[8:], _message(message, timestamp)
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def vkey(self) -> str:
        return _encode(self.name, self.key_id, self.typed)


@dataclass(frozen=True)
class CosignatureSigner:
    """A witness's signing key, from its 32-byte Ed25519 seed. ``clock`` gives POSIX seconds."""

    name: str
    seed: bytes = field(repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> CosignatureVerifier:
        pub = self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return CosignatureVerifier(self.name, pub)

    @property
    def key_id(self) -> int:
        return self.verifier().key_id

    def sign(self, message: bytes) -> bytes:
        """``timestamp || signature`` over the note text ``message``, timestamped now (never 0:
        tlog-witness forbids a zero timestamp)."""
        timestamp = max(1, int(self.clock()))
        return timestamp.to_bytes(8, "big") + self._key().sign(_message(message, timestamp))

    def skey(self) -> str:
        return "PRIVATE+KEY+" + _encode(self.name, self.key_id, COSIGNATURE_TYPE + self.seed)


def generate_cosigner(name: str) -> CosignatureSigner:
    """A new witness key called ``name`` (a schema-less URL naming the witness)."""
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return CosignatureSigner(name, seed)


def parse_cosigner(vkey: str) -> CosignatureVerifier:
    """A witness's verifier key (``name+keyid+base64(0x04 || key)``); KeyFormatError otherwise."""
    name, kid, typed = _split_key(vkey, "witness key")
    if typed[:1] != COSIGNATURE_TYPE:
        raise KeyFormatError(
            f"witness key {name!r} is of type 0x{typed[0]:02x}, not a cosignature key (0x04)"
        )
    if len(typed) != 33:
        raise KeyFormatError("malformed witness key: Ed25519 public key must be 32 bytes")
    verifier = CosignatureVerifier(name, typed[1:])
    if verifier.key_id != kid:
        raise KeyFormatError(f"invalid witness key id {kid:08x} for key {name!r}")
    return verifier


def parse_cosigner_skey(skey: str) -> CosignatureSigner:
    """A witness's signing key (``PRIVATE+KEY+name+keyid+base64(0x04 || seed)``)."""
    prefix = "PRIVATE+KEY+"
    if not skey.strip().startswith(prefix):
        raise KeyFormatError("malformed witness signing key: must start with PRIVATE+KEY+")
    name, kid, typed = _split_key(skey.strip()[len(prefix) :], "witness signing key")
    if typed[:1] != COSIGNATURE_TYPE or len(typed) != 33:
        raise KeyFormatError("malformed witness signing key: not an Ed25519 cosignature key")
    signer = CosignatureSigner(name, typed[1:])
    if signer.key_id != kid:
        raise KeyFormatError(f"invalid witness signing key id {kid:08x} for key {name!r}")
    return signer


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: which witness, and when it cosigned (POSIX seconds)."""

    witness: CosignatureVerifier
    timestamp: int


def cosignatures(
    note: str, witnesses: Sequence[CosignatureVerifier], now: float | None = None
) -> list[Cosignature]:
    """The valid cosignatures on ``note`` by ``witnesses`` (one per witness at most).

    Lines of other keys are ignored. A line by a listed witness that does not verify, or that
    is timestamped more than 10 minutes after ``now`` (default: the clock), makes the note
    malformed (SignatureError), as signed-note requires of a known key's bad signature.
    """
    text, signatures = split_note(note)
    message = text.encode()
    known = {(w.name, w.key_id): w for w in witnesses}
    limit = (time.time() if now is None else now) + 600
    found: dict[CosignatureVerifier, Cosignature] = {}
    for sig in signatures:
        witness = known.get((sig.name, sig.key_id))
        if witness is None or witness in found:
            continue
        if not witness.verify(message, sig.signature):
            raise SignatureError(f"invalid cosignature by witness {witness.vkey()}")
        timestamp = int.from_bytes(sig.signature[:8], "big")
        if timestamp > limit:
            raise SignatureError(
                f"cosignature by witness {sig.name} is dated {timestamp}, in the future"
            )
        found[witness] = Cosignature(witness, timestamp)
    return list(found.values())


def cosign(signer: CosignatureSigner, text: str) -> str:
    """The signature line ``signer`` gives the checkpoint ``text``, timestamped now."""
    return Signature(signer.name, signer.key_id, signer.sign(text.encode())).line()
