"""``qcert hub import`` and ``qcert hub scan`` print what they refused and graded in both
languages: a refused row in English with its Chinese under it, a body's grade on one line."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

import pytest

from qcert.scans import ScanRun
from tests.e2e.conftest import cli_at


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    return cli_at(tmp_path / "data", database_url, monkeypatch)


def test_a_refused_row_is_named_in_each_language(qcert, tmp_path):
    rows = tmp_path / "auditors.json"
    auditors = [
        {"registration_id": "2020-N1QMS-0001", "name": "张三", "registered": True},
        {"registration_id": "2020-N1QMS-0002", "name": "李四", "registered": "perhaps"},
    ]
    rows.write_text(json.dumps(auditors, ensure_ascii=False))
    result = qcert("hub", "import", "auditors", rows, ok=False)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("FAIL row 2 registered: "))
    assert lines[at + 1].strip() == "第 2 行 registered：须为 true 或 false"


def test_a_scan_prints_each_grade_and_what_raised_it_in_both_languages(qcert):
    grades = [
        {"body_id": "cb1", "grade": "D", "score": 0.8125, "top": ["R01", "R07"]},
        {"body_id": "cb2", "grade": "A", "score": 0.0, "top": []},
    ]
    found = ScanRun(date(2026, 6, 1), {"R01": 2}, 1, 0, grades, {"A": 1})
    with mock.patch("qcert.scans.scan", return_value=found):
        result = qcert("hub", "scan", "--as-of", "2026-06-01")
    lines = [line.strip() for line in result.stdout.splitlines()]
    graded = "cb1: grade D (0.81), mostly from R01, R07 / cb1：等级 D（0.81），主要来自 R01、R07"
    assert graded in lines
    assert "cb2: grade A (0.00) / cb2：等级 A（0.00）" in lines
    # the --json output is the scan's own figures, unchanged
    with mock.patch("qcert.scans.scan", return_value=found):
        doc = json.loads(qcert("hub", "scan", "--as-of", "2026-06-01", "--json").stdout)
    assert doc["grades"] == grades
