"""A list as people download it: an xlsx workbook or a CSV file, one row per record.

Excel is what bodies and regulators exchange today. The CSV is UTF-8 with a byte-order mark,
so Excel opens Chinese text as Chinese rather than as mojibake. Cells are guarded against
formula injection (OWASP, "CSV Injection"): a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with ``'``, so no spreadsheet reads it as a
formula; numbers stay numbers. In the workbook every text cell is also typed as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["CSV", "FORMATS", "XLSX", "safe_cell", "write_csv", "write_xlsx"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX, "csv": CSV}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name


def safe_cell(value: Any) -> Any:
    """``value`` as a cell: None as empty, numbers as they are, anything else as text, with a
    ``'`` before text a spreadsheet would take for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def write_csv(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """``head`` and ``rows`` as CSV (RFC 4180, CRLF line ends), UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in head])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(title: str, head: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """``head`` and ``rows`` as a workbook of one sheet named ``title``."""
    from openpyxl import Workbook  # only when a workbook is asked for: it is slow to import
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    # Excel refuses these characters in a sheet's name, and names longer than 31.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:_SHEET_TITLE_MAX]
    sheet = book.create_sheet(clean.strip() or "list")

    def append(values: Iterable[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, always: never a formula Excel would evaluate
            cells.append(cell)
        sheet.append(cells)

    append(head)
    for row in rows:
        append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
