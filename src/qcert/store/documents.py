"""Documents' bytes, stored by their SHA-256 (and checked by SM3 too), and what kind of file
their content is.

A document's bytes live under a name made of its SHA-256 (``ab/cdef…``): in a directory
(mode 0700, files 0600) outside anything a web server serves, or, when configured, as objects
of an S3-compatible bucket (``store/objects.py``). The ledger holds both digests
(``client.document-uploaded``: SHA-256, FIPS 180-4, and SM3, GB/T 32905-2016), so stored bytes
that no longer match the hashes that name them are refused when read. Files are written before
the event commits: a file without an event (a refused or abandoned upload) is harmless, an
event without its file is a loss ``check_projections`` reports.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import QcertError
from ..lifecycle.documents import media_type_of

__all__ = [
    "MAX_STORED_BYTES",
    "Blobs",
    "Digests",
    "DiskBlobs",
    "DocumentMissing",
    "DocumentStore",
    "digests",
    "media_type_of",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
# The largest stored file read back (bytes): documents are at most 10 MiB, a campaign's
# published inputs a few MiB; a larger object in the store is refused rather than read.
MAX_STORED_BYTES = 64 * 1024 * 1024


class DocumentMissing(QcertError):
    """No stored file holds these bytes (or the file no longer matches its hash)."""

    status = 404


@dataclass(frozen=True)
class Digests:
    """A file's two digests, lowercase hex: SHA-256 (FIPS 180-4) and SM3 (GB/T 32905-2016)."""

    sha256: str
    sm3: str


def digests(data: bytes) -> Digests:
    """The SHA-256 and SM3 digests of ``data`` (SM3 from OpenSSL, ``hashlib.new("sm3")``)."""
    return Digests(hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest())


class Blobs(Protocol):
    """Where stored bytes live, by name (``ab/cdef…``): a directory or an object store."""

    def write(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name`` whole (a reader never sees part of it)."""

    def fetch(self, name: str, limit: int) -> bytes | None:
        """The bytes under ``name`` (None if there are none); refuses more than ``limit``."""

    def has(self, name: str) -> bool:
        """Whether something is kept under ``name``."""


class DiskBlobs:
    """Files under ``root``: ``root/ab/cdef…``, written through a temporary file and a rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # Whether each write waits for its file to reach the disk; off only while a store is
        # built from nothing (``store.db.BulkBuild``), which syncs everything at its end.
        self.durable = True

    def write(self, name: str, data: bytes) -> None:
        """Write ``data`` to ``root/name`` atomically (mode 0600), unless it is already there."""
        final = self.root / name
        if final.is_file():
            return  # the same bytes are already there, under the same name
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final.parent.mkdir(mode=0o700, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                if self.durable:
                    os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def fetch(self, name: str, limit: int) -> bytes | None:
        """The file's bytes, or None; a file over ``limit`` bytes is refused unread."""
        try:
            with (self.root / name).open("rb") as stored:
                data = stored.read(limit + 1)
        except FileNotFoundError:
            return None
        if len(data) > limit:
            raise DocumentMissing(f"sha256: the stored file {name} is over {limit} bytes")
        return data

    def has(self, name: str) -> bool:
        """Whether the file exists."""
        return (self.root / name).is_file()


class DocumentStore:
    """Content-addressed files: each is named by the SHA-256 of its bytes, kept in ``blobs``
    (a directory given as a path, or an object store)."""

    def __init__(self, blobs: Path | str | Blobs) -> None:
        self.blobs: Blobs = DiskBlobs(Path(blobs)) if isinstance(blobs, Path | str) else blobs

    @property
    def root(self) -> Path:
        """The directory the files are in (a store on disk only)."""
        if not isinstance(self.blobs, DiskBlobs):
            raise AttributeError("root: this document store keeps its files in an object store")
        return self.blobs.root

    @staticmethod
    def name(sha256: str) -> str:
        """The stored name of the bytes hashing to ``sha256`` (64 lowercase hex digits)."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise DocumentMissing("sha256: must be 64 lowercase hexadecimal digits")
        return f"{sha256[:2]}/{sha256[2:]}"

    def path(self, sha256: str) -> Path:
        """Where the bytes hashing to ``sha256`` are kept, for a store on disk."""
        return self.root / self.name(sha256)

    def exists(self, sha256: str) -> bool:
        """Whether a file for ``sha256`` is stored."""
        return _SHA256.fullmatch(sha256) is not None and self.blobs.has(self.name(sha256))

    def put(self, data: bytes) -> str:
        """Store ``data`` (whole, or not at all); its SHA-256 (hex)."""
        return self.store(data).sha256

    def store(self, data: bytes) -> Digests:
        """Store ``data`` and give both its digests (SHA-256 names it; SM3 is for the record)."""
        if len(data) > MAX_STORED_BYTES:
            raise QcertError(f"file: over {MAX_STORED_BYTES} bytes")
        found = digests(data)
        self.blobs.write(self.name(found.sha256), data)
        return found

    def open(self, sha256: str) -> BinaryIO:
        """The stored, checked bytes for ``sha256``, to read as a file; DocumentMissing if none."""
        return io.BytesIO(self.read(sha256))

    def read(self, sha256: str, sm3: str | None = None) -> bytes:
        """The bytes stored for ``sha256``, checked against it and, when given, against their
        recorded ``sm3`` digest (a changed file is refused)."""
        data = self.blobs.fetch(self.name(sha256), MAX_STORED_BYTES)
        if data is None:
            raise DocumentMissing(f"sha256: no stored document {sha256}")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DocumentMissing(f"sha256: the stored file of {sha256} no longer matches it")
        if sm3 is not None and hashlib.new("sm3", data).hexdigest() != sm3:
            raise DocumentMissing(f"sm3: the stored file of {sha256} no longer matches {sm3}")
        return data
