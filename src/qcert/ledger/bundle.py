"""Offline proof bundles in the C2SP tlog-proof@v1 format."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from .errors import BundleFormatError

__all__ = ["HEADER", "ProofBundle"]

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class ProofBundle:
    """Index, inclusion proof hashes and the signed checkpoint they lead to."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        """The bundle as tlog-proof@v1 text."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.hashes)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str) -> ProofBundle:
        """Parse tlog-proof@v1 text; raise BundleFormatError naming the bad line."""
        lines = text.split("\n")
        if lines[0] != HEADER:
            raise BundleFormatError(f"proof bundle does not start with {HEADER!r}")
        pos, extra = 1, None
        if len(lines) > pos and lines[pos].startswith("extra "):
            try:
                extra = base64.b64decode(lines[pos][6:], validate=True)
            except binascii.Error:
                raise BundleFormatError("proof bundle extra data is not base64") from None
            pos += 1
        match = _INDEX.fullmatch(lines[pos]) if len(lines) > pos else None
        if not match:
            raise BundleFormatError(f"proof bundle line {pos + 1}: expected 'index N'")
        index = int(match.group(1))
        pos += 1
        hashes = []
        while pos < len(lines) and lines[pos]:
            try:
                h = base64.b64decode(lines[pos], validate=True)
            except binascii.Error:
                raise BundleFormatError(
                    f"proof bundle line {pos + 1}: hash is not base64"
                ) from None
            if len(h) != 32:
                raise BundleFormatError(
                    f"proof bundle line {pos + 1}: hash is {len(h)} bytes, expected 32"
                )
            hashes.append(h)
            pos += 1
        if pos >= len(lines):
            raise BundleFormatError("proof bundle ends before its checkpoint")
        checkpoint = "\n".join(lines[pos + 1 :])
        if not checkpoint.strip():
            raise BundleFormatError("proof bundle has no checkpoint")
        return cls(index, tuple(hashes), checkpoint, extra)
