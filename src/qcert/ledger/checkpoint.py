"""Checkpoint note text (C2SP tlog-checkpoint): origin, tree size, root hash."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from .errors import CheckpointError

__all__ = ["Checkpoint", "StoredCheckpoint"]

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its size in leaves and its root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text to sign: ``origin\\nsize\\nbase64(root)\\n[extensions]``."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text strictly per C2SP tlog-checkpoint."""
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint needs origin, size and root hash lines")
        origin, size, root, *ext = lines
        if not origin:
            raise CheckpointError("checkpoint origin line is empty")
        if not _SIZE.fullmatch(size):
            raise CheckpointError(
                f"checkpoint size {size!r} is not a decimal without leading zeros"
            )
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise CheckpointError("checkpoint root hash is not base64") from None
        if len(digest) != 32:
            raise CheckpointError(f"checkpoint root hash is {len(digest)} bytes, not 32")
        if any(not line for line in ext):
            raise CheckpointError("checkpoint extension lines must not be empty")
        return cls(origin, int(size), digest, tuple(ext))


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint as a log keeps it: the signed note, its number in its suite's order
    (1, 2, ...; sizes grow with it) and when it was stored (UTC, never earlier than the
    one before)."""

    suite: str
    seq: int
    size: int
    note: str
    signed_at: datetime
