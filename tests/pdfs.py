"""Reading PDFs back in tests: their text, and the QR codes on their rendered pages."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import zxingcpp


def pdf_pages(pdf: bytes) -> int:
    """How many pages ``pdf`` has."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def pdf_text(pdf: bytes) -> str:
    """The text of every page of ``pdf``, as a reader's copy-and-paste would give it."""
    doc = pdfium.PdfDocument(pdf)
    try:
        parts = []
        for page in doc:
            text = page.get_textpage()
            parts.append(text.get_text_range())
            text.close()
            page.close()
        return "\n".join(parts)
    finally:
        doc.close()


def qr_codes(pdf: bytes, dpi: int = 200) -> list[str]:
    """The QR codes found on the first page of ``pdf`` rendered at ``dpi``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        bitmap = page.render(scale=dpi / 72)
        image = bitmap.to_pil()
        bitmap.close()
        page.close()
    finally:
        doc.close()
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def font_of(pdf: bytes, snippet: str) -> str:
    """The name of the font the first character of ``snippet`` is drawn with on page 1."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        text = page.get_textpage()
        at = text.get_text_range().index(snippet)
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        raw.FPDFText_GetFontInfo(text, at, name, len(name), ctypes.byref(flags))
        text.close()
        page.close()
        return name.value.decode()
    finally:
        doc.close()
