"""The reporting standard as a table, for bodies without an API: xlsx or CSV, one record a row.

Columns are the record's fields (``kind`` and ``id`` first); a nested object's fields are
dotted (``organisation.uscc``); a list is a JSON array in its cell (``team``, ``sites``,
``findings``), except ``sectors``, which may also be written ``17;18``. Empty cells are absent
fields. A date-and-time cell without a zone (as Excel keeps them) is read in China Standard Time
(+08:00), the zone the national reporting rules use. Every value is then checked as the API's
records are (:mod:`qcert.exchange.submission`), so a bad row comes back with its field and rule.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..errors import QcertError
from .records import RECORD_LIMIT

__all__ = ["TableInvalid", "read"]

CST = timezone(timedelta(hours=8), "CST")
_LISTS = {"team", "sites", "findings", "sectors"}
_NUMBERS = {"planned_days", "actual_days", "onsite_days", "lat", "lon"}


class TableInvalid(QcertError):
    """A file that is no table of records (or too large), in both languages."""

    status = 422

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"file: {en} / 文件：{zh}")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        at = value if value.tzinfo else value.replace(tzinfo=CST)
        return at.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _value(column: str, value: Any) -> Any:
    leaf = column.rsplit(".", 1)[-1]
    if leaf in _LISTS and isinstance(value, str):
        if value.startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                return value  # the record's check names the field
        if leaf == "sectors":
            return [int(s) if s.strip().isdigit() else s for s in value.split(";") if s.strip()]
    if leaf in _NUMBERS and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _record(head: list[str], cells: list[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, raw in zip(head, cells, strict=False):
        value = _cell(raw)
        if not column or value in (None, ""):
            continue
        *parents, leaf = column.split(".")
        place = record
        for part in parents:
            place = place.setdefault(part, {})
        place[leaf] = _value(column, value)
    return record


def _rows(rows: list[list[Any]]) -> list[dict[str, Any]]:
    if not rows:
        raise TableInvalid("no header row", "没有表头行")
    head = [str(h or "").strip() for h in rows[0]]
    if "kind" not in head or "id" not in head:
        raise TableInvalid("the header must name kind and id", "表头须包含 'kind' 与 'id' 列")
    body = [r for r in rows[1:] if any(c not in (None, "") for c in r)]
    if len(body) > RECORD_LIMIT:
        raise TableInvalid(
            f"{len(body)} rows; at most {RECORD_LIMIT} a file",
            f"共 {len(body)} 行，每个文件最多 {RECORD_LIMIT} 行",
        )
    return [_record(head, list(r)) for r in body]


def read(filename: str, data: bytes, cap: int) -> list[dict[str, Any]]:
    """The records of an xlsx workbook's first sheet or of a UTF-8 CSV file."""
    if len(data) > cap:
        raise TableInvalid(f"over {cap} bytes", f"超过 {cap} 字节")
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=RECORD_LIMIT + 2)]
            book.close()
        except Exception as err:  # openpyxl raises several kinds for a file that is no workbook
            raise TableInvalid(f"not an xlsx workbook: {err}", "不是 xlsx 工作簿") from None
        return _rows(rows)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableInvalid(
            f"{filename or 'the file'} is neither an xlsx workbook nor UTF-8 CSV",
            "既不是 xlsx 工作簿也不是 UTF-8 编码的 CSV",
        ) from None
    try:
        # newline="": the reader itself splits lines, so a bare CR ends one (RFC 4180 2.1
        # asks for CRLF; files from older spreadsheets end lines with CR alone).
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise TableInvalid(f"not a CSV file: {err}", f"不是有效的 CSV 文件：{err}") from None
    return _rows(rows)
