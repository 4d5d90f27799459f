"""Lists as downloads: CSV that Excel opens as UTF-8, workbooks read back cell for cell, and
no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from qcert.exchange.spreadsheet import safe_cell, write_csv, write_xlsx

HEAD = ["组织", "证书", "剩余天数"]
ROWS = [
    ["示例精密制造有限公司", "N-1", 12],
    ["=1+1", "+86 10 1234", -3],
    ["@SUM(A1:A2)", "-2", None],
    ["\t=cmd|' /C calc'!A0", "\r=1", 0.5],
    ["普通 = 文本", "a-b", True],
]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_prefixed(text):
    assert safe_cell(text) == "'" + text


def test_other_cells_are_left_as_they_are():
    assert safe_cell("示例 = 公司") == "示例 = 公司"
    assert safe_cell(-3) == -3 and safe_cell(0.5) == 0.5  # numbers are not formulas
    assert safe_cell(None) == "" and safe_cell(True) == "true"


def test_csv_starts_with_a_bom_and_reads_back_guarded():
    data = write_csv(HEAD, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEAD and rows[1] == ["示例精密制造有限公司", "N-1", "12"]
    assert [r[0] for r in rows[2:]] == [
        "'=1+1",
        "'@SUM(A1:A2)",
        "'\t=cmd|' /C calc'!A0",
        "普通 = 文本",
    ]
    assert rows[2][2] == "-3" and rows[3][1] == "'-2"  # a number stays, text is guarded
    assert b"\r\n" in data


def test_a_workbook_reads_back_with_text_typed_as_text():
    data = write_xlsx("认证项目: 2025/1 [all]", HEAD, ROWS)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "认证项目  2025 1  all"  # Excel refuses : / [ ] in a sheet's name
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEAD and values[1] == ["示例精密制造有限公司", "N-1", 12]
    assert values[2] == ["'=1+1", "'+86 10 1234", -3]
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row[:2])
    assert not any(str(c.value).startswith("=") for row in sheet.iter_rows() for c in row)
