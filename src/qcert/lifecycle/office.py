"""Word and Excel files, checked as what they claim to be, from their bytes alone.

Office Open XML (ECMA-376 / ISO/IEC 29500: ``.docx``, ``.xlsx``) is a zip package (Part 2,
Open Packaging Conventions) whose ``[Content_Types].xml`` names the content type of each
part; the main part's type says what the document is. The legacy binary formats (``.doc``,
``.xls``) are Compound File Binary containers ([MS-CFB]) whose streams say what they hold
(``WordDocument`` for Word, [MS-DOC] 2.1; ``Workbook``/``Book`` for Excel, [MS-XLS] 2.1.2).

Macros are refused in either form: a macro-enabled main part (``.docm``, ``.xlsm``), a VBA
project (``vbaProject.bin``, [MS-OFFCRYPTO]/[MS-OVBA]), an Excel 4.0 macro sheet, or a CFB
``Macros`` / ``_VBA_PROJECT_CUR`` storage. Nothing is ever unpacked to disk; the zip's
directory and one small part are read, each with a cap.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

__all__ = ["DOC", "DOCX", "OFFICE_TYPES", "XLS", "XLSX", "OfficeRefused", "office_type_of"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
# The media types this module recognises, with the file-name endings each may carry.
OFFICE_TYPES: dict[str, tuple[str, ...]] = {
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    DOC: (".doc",),
    XLS: (".xls",),
}

_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The main parts' content types (ECMA-376 Part 1, 11.3.10 and 12.3.23) and their media type.
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Content types that carry macros or code; any of them anywhere in a package refuses it.
_MACRO_TYPES = re.compile(
    r"macroenabled|vbaproject|vbadata|macrosheet|ms-excel\.intlmacrosheet|activex", re.I
)
_MAX_PARTS = 5000  # parts in one package: more is not a document people write
_MAX_CONTENT_TYPES = 1024 * 1024  # [Content_Types].xml is a few KiB in practice
_MAX_SECTORS = 200_000  # sectors followed in one CFB chain (10 MiB / 512 B is 20,480)


class OfficeRefused(ValueError):
    """An Office file refused: ``reason`` is ``macros``, ``damaged`` or ``unsupported``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def office_type_of(data: bytes) -> str | None:
    """The Office media type ``data`` is (DOCX, XLSX, DOC or XLS), None when it is not an
    Office container at all; OfficeRefused when it is one but holds macros, is damaged, or
    is another kind (a presentation, a template, an encrypted package)."""
    if data.startswith(_ZIP_MAGIC):
        return _ooxml_type(data)
    if data.startswith(_CFB_MAGIC):
        return _cfb_type(data)
    return None


def _ooxml_type(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = package.namelist()
        if len(names) > _MAX_PARTS:
            raise OfficeRefused("damaged")
        if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
            raise OfficeRefused("macros")
        info = package.getinfo("[Content_Types].xml")
        if info.file_size > _MAX_CONTENT_TYPES:
            raise OfficeRefused("damaged")
        with package.open(info) as part:
            types = part.read(_MAX_CONTENT_TYPES + 1).decode("utf-8", "replace")
    except OfficeRefused:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ):
        # Not a zip, no content types, encrypted or compressed in a way no Office writes.
        raise OfficeRefused("damaged") from None
    if "<!DOCTYPE" in types or "<!ENTITY" in types:
        raise OfficeRefused("damaged")  # OPC forbids DTDs (ECMA-376 Part 2, 8.1.4)
    if _MACRO_TYPES.search(types):
        raise OfficeRefused("macros")
    found = {
        _MAIN_PARTS[kind]: part.lstrip("/")
        for part, kind in re.findall(r'PartName="([^"]+)"\s+ContentType="([^"]+)"', types)
        if kind in _MAIN_PARTS
    }
    found.update(
        {
            _MAIN_PARTS[kind]: part.lstrip("/")
            for kind, part in re.findall(r'ContentType="([^"]+)"\s+PartName="([^"]+)"', types)
            if kind in _MAIN_PARTS
        }
    )
    if len(found) != 1:
        raise OfficeRefused("unsupported")  # a presentation, a template, or two at once
    [(media_type, part)] = found.items()
    if part not in names:
        raise OfficeRefused("damaged")  # the main part named but missing
    return media_type


def _cfb_type(data: bytes) -> str:
    """A Word or Excel binary file, by its streams' names ([MS-CFB] 2.2 header, 2.6 directory)."""
    try:
        names = {n.lower() for n in _cfb_names(data)}
    except OfficeRefused:
        raise
    except (struct.error, IndexError, ValueError):
        raise OfficeRefused("damaged") from None
    if names & {"macros", "_vba_project_cur", "vba", "_vba_project"}:
        raise OfficeRefused("macros")
    if "encryptedpackage" in names:
        raise OfficeRefused("unsupported")  # an encrypted OOXML file: its content is unseen
    if "worddocument" in names:
        return DOC
    if names & {"workbook", "book"}:
        return XLS
    raise OfficeRefused("unsupported")


def _cfb_names(data: bytes) -> list[str]:
    """The names of every storage and stream in a compound file (its directory entries)."""
    if len(data) < 512:
        raise OfficeRefused("damaged")
    shift, difat_count = struct.unpack_from("<H", data, 30)[0], 109
    if shift not in (9, 12):
        raise OfficeRefused("damaged")
    size = 1 << shift
    first_dir = struct.unpack_from("<I", data, 48)[0]
    first_difat, n_difat = struct.unpack_from("<II", data, 68)

    def sector(i: int) -> bytes:
        start = (i + 1) * size
        if i >= 0xFFFFFFFA or start >= len(data):
            raise OfficeRefused("damaged")
        return data[start : start + size]

    fat_sectors = list(struct.unpack_from(f"<{difat_count}I", data, 76))
    next_difat = first_difat
    for _ in range(min(n_difat, _MAX_SECTORS)):
        if next_difat >= 0xFFFFFFFA:
            break
        block = sector(next_difat).ljust(size, b"\0")
        entries = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += entries[:-1]
        next_difat = entries[-1]
    fat: list[int] = []
    for s in fat_sectors:
        if s >= 0xFFFFFFFA:
            continue
        fat += struct.unpack(f"<{size // 4}I", sector(s).ljust(size, b"\0"))
        if len(fat) > _MAX_SECTORS:
            raise OfficeRefused("damaged")
    names, current, seen = [], first_dir, 0
    while current < 0xFFFFFFFA:
        seen += 1
        if seen > _MAX_SECTORS or current >= len(fat):
            raise OfficeRefused("damaged")  # a loop or a chain off the end
        block = sector(current).ljust(size, b"\0")
        for offset in range(0, size, 128):
            length = struct.unpack_from("<H", block, offset + 64)[0]
            if block[offset + 66] in (1, 2, 5) and 2 <= length <= 64:
                names.append(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    return names
