"""Documents' bytes, stored by their SHA-256, and what kind of file their content is.

A document's bytes live in a file named by its hash (``root/ab/cdef…``, mode 0600), outside
anything a web server serves. The ledger holds the hash (``client.document-uploaded``), so a
file changed on disk no longer matches the hash that names it and is refused when read.
Files are written before the event commits: a file without an event (a refused or abandoned
upload) is harmless, an event without its file is a loss ``check_projections`` reports.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from ..errors import QcertError
from ..lifecycle.documents import media_type_of

__all__ = ["DocumentMissing", "DocumentStore", "media_type_of"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class DocumentMissing(QcertError):
    """No stored file holds these bytes (or the file no longer matches its hash)."""

    status = 404


class DocumentStore:
    """Content-addressed files under ``root``: each file is named by the SHA-256 of its bytes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the bytes hashing to ``sha256`` (64 lowercase hex digits) are kept."""
        if not _SHA256.fullmatch(sha256):
            raise DocumentMissing("sha256: must be 64 lowercase hexadecimal digits")
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        """Whether a file for ``sha256`` is stored."""
        return _SHA256.fullmatch(sha256) is not None and self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` (atomically: a temporary file, then a rename); its SHA-256 (hex)."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path(digest)
        if final.is_file():
            return digest  # the same bytes are already there, under the same name
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final.parent.mkdir(mode=0o700, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for ``sha256``, opened for reading; DocumentMissing if there is none."""
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise DocumentMissing(f"sha256: no stored document {sha256}") from None

    def read(self, sha256: str) -> bytes:
        """The bytes stored for ``sha256``, checked against it (a changed file is refused)."""
        with self.open(sha256) as stored:
            data = stored.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DocumentMissing(f"sha256: the stored file of {sha256} no longer matches it")
        return data
