"""What kind of file a document is, from its content alone (never from its name or a header)."""

from __future__ import annotations

__all__ = ["MAX_DOCUMENT_BYTES", "media_type_of"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MiB

# Control characters plain text may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}


def media_type_of(data: bytes) -> str | None:
    """The media type ``data`` is, from its content alone: PDF, PNG, JPEG or plain UTF-8 text.

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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip() or text.lstrip().startswith("<"):
        return None
    if any((ord(ch) < 32 and ord(ch) not in _TEXT_CONTROLS) or ord(ch) == 127 for ch in text):
        return None
    return "text/plain"
