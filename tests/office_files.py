"""Word and Excel files made in the tests: a workbook written by openpyxl, a minimal Word
package, their macro-enabled variants, legacy compound files, and a program renamed."""

from __future__ import annotations

import io
import struct
import zipfile

from openpyxl import Workbook

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
    '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>纠正措施</w:t></w:r></w:p>'
    "</w:body></w:document>"
)


def xlsx() -> bytes:
    """A real workbook, as Excel and WPS read it."""
    book = Workbook()
    book.active.append(["批次", "结果"])
    book.active.append(["42", "合格"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(main_type: str = _WORD_MAIN, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word package (content types, relationships, one paragraph)."""
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", _RELS)
        package.writestr("word/document.xml", _BODY)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def docm() -> bytes:
    """A macro-enabled Word document: its main part's type says so and it holds a VBA project."""
    return docx(_WORD_MACRO, {"word/vbaProject.bin": b"\xcc\x61" + bytes(64)})


def xlsx_with_vba() -> bytes:
    """A workbook whose type claims .xlsx but which carries a VBA project."""
    data = io.BytesIO(xlsx())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\xcc\x61" + bytes(64))
    return out.getvalue()


def compound(*streams: str) -> bytes:
    """A compound file ([MS-CFB], version 3) whose directory names ``streams`` (empty)."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # the directory starts at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    directory = bytearray(512)
    for i, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)][:4]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 64, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


def renamed_exe() -> bytes:
    """A Windows program's first bytes (MZ, then the PE offset), as sent under a .docx name."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
