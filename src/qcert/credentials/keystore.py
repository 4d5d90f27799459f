"""Bodies' credential-signing keys on disk: one file per key, readable by the owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

__all__ = ["KeyStore", "KeyStoreError"]

_ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv, as W3C Multikey secretKeyMultibase


class KeyStoreError(Exception):
    """A key that is missing or unreadable."""


class KeyStore:
    """Keys under ``root/<body>/<key id>.key`` as ``secretKeyMultibase`` text (mode 0600)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create(self, body_id: str) -> tuple[str, Ed25519PrivateKey]:
        """A new key for ``body_id``: its id (date and random suffix) and the private key."""
        key = Ed25519PrivateKey.generate()
        key_id = f"key-{secrets.token_hex(4)}"
        folder = self.root / body_id
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        fd = os.open(folder / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("z" + base58.b58encode(_ED25519_PRIV + seed).decode() + "\n")
        return key_id, key

    def discard(self, body_id: str, key_id: str) -> None:
        """Remove a key that was never published (its command failed)."""
        (self.root / body_id / f"{key_id}.key").unlink(missing_ok=True)

    def load(self, body_id: str, key_id: str) -> Ed25519PrivateKey:
        path = self.root / body_id / f"{key_id}.key"
        try:
            text = path.read_text().strip()
        except OSError:
            raise KeyStoreError(
                f"no private key {key_id} of body {body_id} in {self.root}"
            ) from None
        raw = base58.b58decode(text[1:]) if text.startswith("z") else b""
        if raw[:2] != _ED25519_PRIV or len(raw) != 34:
            raise KeyStoreError(f"{path} is not an Ed25519 secretKeyMultibase")
        return Ed25519PrivateKey.from_private_bytes(raw[2:])
