"""W3C Bitstring Status List v1.0: which credentials are revoked or suspended.

A list is a bitstring of at least 131,072 entries (16 KB); index 0 is the
left-most bit (the most significant bit of the first byte). Published as
``encodedList``: multibase base64url (``u``, no padding) of the GZIP-compressed
bitstring (Bitstring Status List v1.0 2.2, 7.1).
"""

from __future__ import annotations

import base64
import binascii
import gzip
from collections.abc import Iterable
from typing import Any

__all__ = ["MIN_ENTRIES", "StatusList", "StatusListError", "entry", "list_credential"]

MIN_ENTRIES = 131_072  # 16 KB, Bitstring Status List v1.0 2.2


class StatusListError(Exception):
    """A status list or entry that breaks the specification (STATUS_* errors of 3.2)."""


class StatusList:
    """A bitstring of credential statuses, one bit each (statusSize 1)."""

    def __init__(self, size: int = MIN_ENTRIES, bits: bytes | None = None) -> None:
        if size < MIN_ENTRIES or size % 8:
            raise StatusListError(
                f"a status list holds at least {MIN_ENTRIES} entries, in whole bytes"
            )
        self.size = size
        self.bits = bytearray(bits if bits is not None else size // 8)

    def __getitem__(self, index: int) -> bool:
        self._check(index)
        return bool(self.bits[index // 8] >> (7 - index % 8) & 1)

    def __setitem__(self, index: int, value: bool) -> None:
        self._check(index)
        mask = 1 << (7 - index % 8)
        self.bits[index // 8] = (
            (self.bits[index // 8] | mask) if value else (self.bits[index // 8] & ~mask)
        )

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise StatusListError(f"statusListIndex {index} is outside the list of {self.size}")

    def set_all(self, indices: Iterable[int]) -> StatusList:
        for i in indices:
            self[i] = True
        return self

    def encode(self) -> str:
        """The ``encodedList`` value; GZIP time fixed at 0, so one list has one encoding."""
        packed = gzip.compress(bytes(self.bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """A list from its ``encodedList`` value (3.2 steps 6-9)."""
        if not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url ('u' prefix)")
        body = encoded[1:]
        try:
            packed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
            if packed[:2] != b"\x1f\x8b":
                raise OSError("no GZIP header")
            raw = gzip.decompress(packed)
        except (binascii.Error, OSError, EOFError):
            raise StatusListError("encodedList is not base64url of a GZIP stream") from None
        if len(raw) * 8 < MIN_ENTRIES:
            raise StatusListError(
                f"STATUS_LIST_LENGTH_ERROR: {len(raw) * 8} entries, fewer than {MIN_ENTRIES}"
            )
        return cls(len(raw) * 8, raw)


def entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """A credential's ``credentialStatus`` entry pointing at bit ``index`` of a list (2.1)."""
    if purpose not in ("revocation", "suspension"):
        raise StatusListError("statusPurpose must be revocation or suspension")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(
    list_url: str, issuer: str, purpose: str, status: StatusList, valid_from: str
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential publishing ``status`` (2.2)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status.encode(),
        },
    }
