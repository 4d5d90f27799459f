"""What kind of file a document is, from its content alone (never from its name or a header)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .aggregate import invalid, text_field
from .office import OFFICE_TYPES, OfficeRefused, office_type_of

__all__ = [
    "DOCUMENT_TYPES",
    "MAX_DOCUMENT_BYTES",
    "PHOTO_TYPES",
    "FileFacts",
    "check_document",
    "media_type_of",
]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MiB

# Control characters plain text may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}


def media_type_of(data: bytes) -> str | None:
    """The media type ``data`` is, from its content alone: PDF, PNG, JPEG, a Word or Excel
    file without macros (``qcert.lifecycle.office``), or plain UTF-8 text.

    Markup (HTML, XML, SVG) is not taken as plain text, since a viewer could run it; anything
    else is None.
    """
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    try:
        office = office_type_of(data)
    except OfficeRefused:
        return None
    if office is not None:
        return office
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip() or text.lstrip().startswith("<"):
        return None
    if any((ord(ch) < 32 and ord(ch) not in _TEXT_CONTROLS) or ord(ch) == 127 for ch in text):
        return None
    return "text/plain"


# The documents an organisation may upload, by media type (always found from the content, never
# from the name), and the file-name endings each may carry, so a downloaded file opens as what
# it is and never as a page or a program.
DOCUMENT_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt", ".csv"),
    **OFFICE_TYPES,
}


_SHA256 = re.compile(r"[0-9a-f]{64}")
# The media types read as photos (their EXIF metadata gives when and where they were taken).
PHOTO_TYPES = ("image/jpeg", "image/png")


@dataclass(frozen=True)
class FileFacts:
    """What is recorded of a stored file besides its SHA-256: its SM3 digest (GB/T
    32905-2016) and, for a photo, when (ISO 8601) and where (WGS 84 degrees) it was taken."""

    sm3: str | None = None
    taken_at: str | None = None
    taken_lat: float | None = None
    taken_lon: float | None = None


def check_document(
    sha256: str, filename: str, media_type: str, size: int, purpose: str
) -> tuple[str, str]:
    """Refuse a document record that breaks a rule; return its (file name, purpose) cleaned.

    ``sha256`` is 64 lowercase hex digits, ``size`` in bytes (1 to 10 MiB), ``media_type`` one
    of DOCUMENT_TYPES, and ``filename`` 1-200 characters with no path or control characters,
    ending as its media type does.
    """
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise invalid("sha256", "digest.sha256_hex")
    if media_type not in DOCUMENT_TYPES:
        raise invalid("media_type", "choice.one_of", choices=DOCUMENT_TYPES)
    if not isinstance(size, int) or not 1 <= size <= MAX_DOCUMENT_BYTES:
        raise invalid("size", "document.size", max_bytes=MAX_DOCUMENT_BYTES)
    name = filename.strip() if isinstance(filename, str) else ""
    if not 1 <= len(name) <= 200:
        raise invalid("filename", "document.name_length")
    if any(ch in "/\\" or ord(ch) < 32 or ord(ch) == 127 for ch in name) or name in (".", ".."):
        raise invalid("filename", "document.name_plain")
    endings = DOCUMENT_TYPES[media_type]
    if not name.lower().endswith(endings):
        raise invalid("filename", "document.name_ending", media_type=media_type, endings=endings)
    return name, text_field("purpose", purpose, 500)
