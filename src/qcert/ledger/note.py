"""Signed notes (C2SP signed-note) with Ed25519 and SM2-with-SM3 keys.

Key strings follow golang.org/x/mod/sumdb/note: a verifier key is
``name+hash+base64(type || public key)`` and a signer key is
``PRIVATE+KEY+name+hash+base64(type || private key)``; ``hash`` is the key id,
``SHA-256(name || 0x0A || type || public key)[:4]`` in hex.

Ed25519 keys have type ``0x01``. SM2 keys use the private-use type ``0xff``
followed by the identifier :data:`SM2_TYPE_ID`; their public key encoding is a
2-byte length and the SM2 user id (GB/T 32918.2 ``ID_A``), then the 65-byte
uncompressed point. Verifiers that do not know this type ignore its lines, as
the signed-note specification requires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from . import sm2
from .errors import CheckpointError, KeyFormatError, SignatureError

__all__ = [
    "ED25519_TYPE",
    "SM2_TYPE",
    "SM2_TYPE_ID",
    "Signature",
    "Signer",
    "Verifier",
    "generate_ed25519",
    "generate_sm2",
    "key_id",
    "open_note",
    "parse_signer",
    "parse_verifier",
    "sign_note",
]

ED25519_TYPE = b"\x01"
SM2_TYPE_ID = b"urn:qcert:signed-note:sm2-sm3:v1"
SM2_TYPE = b"\xff" + SM2_TYPE_ID
MAX_SIGNATURES = 100
_DASH = "\u2014 "


def key_id(name: str, typed_key: bytes) -> int:
    """C2SP signed-note key id: first 4 bytes of SHA-256(name || 0x0A || type || key)."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\n" + typed_key).digest()[:4], "big")


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise KeyFormatError(f"key name {name!r} must be non-empty, without spaces or '+'")


class Signer(Protocol):
    """Something that signs note text under a name and key id."""

    name: str
    key_id: int

    def sign(self, message: bytes) -> bytes: ...

    def verifier(self) -> Verifier: ...

    def skey(self) -> str: ...


class Verifier(Protocol):
    """Something that checks one key's signatures on note text."""

    name: str
    key_id: int

    def verify(self, message: bytes, signature: bytes) -> bool: ...

    def vkey(self) -> str: ...


def _encode(name: str, kid: int, typed: bytes) -> str:
    return f"{name}+{kid:08x}+{base64.b64encode(typed).decode()}"


@dataclass(frozen=True)
class Ed25519Verifier:
    """An Ed25519 (type 0x01) verifier key."""

    name: str
    public: bytes

    @property
    def typed(self) -> bytes:
        return ED25519_TYPE + self.public

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.typed)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def vkey(self) -> str:
        return _encode(self.name, self.key_id, self.typed)


@dataclass(frozen=True)
class Ed25519Signer:
    """An Ed25519 signer from its 32-byte seed."""

    name: str
    seed: bytes = field(repr=False)

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> Ed25519Verifier:
        pub = self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Ed25519Verifier(self.name, pub)

    @property
    def key_id(self) -> int:
        return self.verifier().key_id

    def sign(self, message: bytes) -> bytes:
        return self._key().sign(message)

    def skey(self) -> str:
        return "PRIVATE+KEY+" + _encode(self.name, self.key_id, ED25519_TYPE + self.seed)


def _sm2_public(user_id: bytes, point: bytes) -> bytes:
    return len(user_id).to_bytes(2, "big") + user_id + point


@dataclass(frozen=True)
class Sm2Verifier:
    """An SM2-with-SM3 verifier key (type 0xff + :data:`SM2_TYPE_ID`)."""

    name: str
    point: bytes
    user_id: bytes = sm2.DEFAULT_USER_ID

    @property
    def typed(self) -> bytes:
        return SM2_TYPE + _sm2_public(self.user_id, self.point)

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.typed)

    def verify(self, message: bytes, signature: bytes) -> bool:
        return sm2.verify(self.point, message, signature, self.user_id)

    def vkey(self) -> str:
        return _encode(self.name, self.key_id, self.typed)


@dataclass(frozen=True)
class Sm2Signer:
    """An SM2 signer from its private scalar ``d``."""

    name: str
    d: int = field(repr=False)
    user_id: bytes = sm2.DEFAULT_USER_ID

    def verifier(self) -> Sm2Verifier:
        return Sm2Verifier(self.name, sm2.public_key(self.d), self.user_id)

    @property
    def key_id(self) -> int:
        return self.verifier().key_id

    def sign(self, message: bytes) -> bytes:
        return sm2.sign(self.d, message, self.user_id)

    def skey(self) -> str:
        private = SM2_TYPE + _sm2_public(self.user_id, self.d.to_bytes(32, "big"))
        return "PRIVATE+KEY+" + _encode(self.name, self.key_id, private)


def generate_ed25519(name: str) -> Ed25519Signer:
    """A new Ed25519 signer called ``name``."""
    _check_name(name)
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return Ed25519Signer(name, seed)


def generate_sm2(name: str, user_id: bytes = sm2.DEFAULT_USER_ID) -> Sm2Signer:
    """A new SM2 signer called ``name`` with SM2 user id ``user_id``."""
    _check_name(name)
    return Sm2Signer(name, sm2.generate_private_key(), user_id)


def _split_key(text: str, what: str) -> tuple[str, int, bytes]:
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise KeyFormatError(f"malformed {what}: expected name+keyid+base64key")
    name, kid_hex, b64 = parts
    _check_name(name)
    if len(kid_hex) != 8:
        raise KeyFormatError(f"malformed {what}: key id {kid_hex!r} is not 8 hex digits")
    try:
        kid = int(kid_hex, 16)
        typed = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise KeyFormatError(f"malformed {what}: key id or key data is not hex/base64") from None
    if not typed:
        raise KeyFormatError(f"malformed {what}: empty key data")
    return name, kid, typed


def _sm2_parts(rest: bytes, what: str) -> tuple[bytes, bytes]:
    if len(rest) < 2 or len(rest) < 2 + int.from_bytes(rest[:2], "big"):
        raise KeyFormatError(f"malformed {what}: truncated SM2 user id")
    n = int.from_bytes(rest[:2], "big")
    return rest[2 : 2 + n], rest[2 + n :]


def parse_verifier(vkey: str) -> Verifier:
    """Parse a verifier key string; raise KeyFormatError naming what is wrong."""
    name, kid, typed = _split_key(vkey, "verifier key")
    verifier: Verifier
    if typed[:1] == ED25519_TYPE:
        if len(typed) != 33:
            raise KeyFormatError("malformed verifier key: Ed25519 public key must be 32 bytes")
        verifier = Ed25519Verifier(name, typed[1:])
    elif typed.startswith(SM2_TYPE):
        user_id, point = _sm2_parts(typed[len(SM2_TYPE) :], "verifier key")
        if len(point) != 65 or point[0] != 4:
            raise KeyFormatError("malformed verifier key: SM2 point must be 65 bytes, uncompressed")
        verifier = Sm2Verifier(name, point, user_id)
    elif typed[:1] == b"\x04":
        raise KeyFormatError(
            f"{name!r} is a witness's cosignature key (type 0x04), not a log's signing key"
        )
    else:
        raise KeyFormatError(f"unknown verifier algorithm 0x{typed[0]:02x}")
    if verifier.key_id != kid:
        raise KeyFormatError(f"invalid verifier key id {kid:08x} for key {name!r}")
    return verifier


def parse_signer(skey: str) -> Signer:
    """Parse a signer key string (``PRIVATE+KEY+...``)."""
    prefix = "PRIVATE+KEY+"
    if not skey.strip().startswith(prefix):
        raise KeyFormatError("malformed signer key: must start with PRIVATE+KEY+")
    name, kid, typed = _split_key(skey.strip()[len(prefix) :], "signer key")
    signer: Signer
    if typed[:1] == ED25519_TYPE and len(typed) == 33:
        signer = Ed25519Signer(name, typed[1:])
    elif typed.startswith(SM2_TYPE):
        user_id, d = _sm2_parts(typed[len(SM2_TYPE) :], "signer key")
        if len(d) != 32:
            raise KeyFormatError("malformed signer key: SM2 private key must be 32 bytes")
        signer = Sm2Signer(name, int.from_bytes(d, "big"), user_id)
    else:
        raise KeyFormatError(f"unknown signer algorithm 0x{typed[0]:02x}")
    try:
        key_id = signer.key_id
    except ValueError as err:  # an SM2 scalar outside [1, n-2] is no key
        raise KeyFormatError(f"malformed signer key: {err}") from None
    if key_id != kid:
        raise KeyFormatError(f"invalid signer key id {kid:08x} for key {name!r}")
    return signer


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id and raw signature bytes."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        raw = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_DASH}{self.name} {base64.b64encode(raw).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise CheckpointError("note text must end with a newline")
    if any(c < " " and c != "\n" for c in text):
        raise CheckpointError("note text must not contain control characters")


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign ``text`` with every signer; return the signed note."""
    _check_text(text)
    if not signers:
        raise SignatureError("a note needs at least one signer")
    message = text.encode()
    lines = [Signature(s.name, s.key_id, s.sign(message)).line() for s in signers]
    return text + "\n" + "".join(lines)


def split_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures (not verified)."""
    if any(c < " " and c != "\n" for c in note):
        raise CheckpointError("malformed note: control characters")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise CheckpointError("malformed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    if not block or not block.endswith("\n"):
        raise CheckpointError("malformed note: no signature lines")
    sigs: list[Signature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise CheckpointError("malformed note: signature line does not start with an em dash")
        name, _, b64 = line[len(_DASH) :].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise CheckpointError(f"malformed note: signature of {name!r} is not base64") from None
        if not name or "+" in name or len(raw) < 5:
            raise CheckpointError(f"malformed note: bad signature line for {name!r}")
        sigs.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    if len(sigs) > MAX_SIGNATURES:
        raise CheckpointError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    return text, sigs


def open_note(note: str, verifiers: Iterable[Verifier]) -> tuple[str, list[Verifier]]:
    """Verify a signed note; return its text and the verifiers whose signatures checked out.

    Signatures by unknown keys are ignored; a known key's bad signature rejects
    the note; a note with no good signature from a known key is rejected.
    """
    text, sigs = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    message = text.encode()
    good: list[Verifier] = []
    for sig in sigs:
        v = known.get((sig.name, sig.key_id))
        if v is None or v in good:
            continue
        if not v.verify(message, sig.signature):
            raise SignatureError(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        good.append(v)
    if not good:
        raise SignatureError("note has no signature from a known key")
    return text, good
