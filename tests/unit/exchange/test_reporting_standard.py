"""The reporting standard: its published schema, signatures over the envelope, and tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.exchange import tabular
from qcert.exchange.schema import json_schema
from qcert.exchange.submission import check_records, envelope, sign, verify

PUBLISHED = Path(__file__).parents[3] / "docs" / "exchange" / "report-v1.schema.json"
PLAN = {
    "kind": "audit-plan",
    "id": "p1",
    "occurred_at": "2026-05-02T09:00:00+08:00",
    "certification_id": "cert1",
    "audit_id": "s1",
    "audit_kind": "stage1",
    "method": "FS02",
    "start_on": "2026-05-10",
    "end_on": "2026-05-10",
    "planned_days": 1.5,
    "team": [{"registration_no": "2020-N1QMS-0001", "role": "leader"}],
}
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_the_published_schema_is_the_one_the_hub_checks_with():
    assert json.loads(PUBLISHED.read_text()) == json_schema()
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_a_signed_envelope_validates_against_the_published_schema():
    key = Ed25519PrivateKey.generate()
    signed = sign(envelope("cb1", "2026-06-01T08:00:00Z", [PLAN]), key, "k1")
    jsonschema.validate(signed, json_schema())
    bad = {**signed, "records": [{**PLAN, "method": "FS09"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())


def test_the_signature_covers_every_record():
    key = Ed25519PrivateKey.generate()
    signed = sign(envelope("cb1", "2026-06-01T08:00:00Z", [PLAN]), key, "k1")
    assert verify(signed, key.public_key())
    edited = {**signed, "records": [{**PLAN, "planned_days": 0.5}]}
    assert not verify(edited, key.public_key())
    assert not verify(signed, Ed25519PrivateKey.generate().public_key())


def test_records_are_checked_one_by_one():
    checked = check_records([PLAN, {**PLAN, "id": "p2", "team": []}, PLAN], NOW)
    assert [p for p, _ in checked.good] == [0]
    by_position = {r.position: r for r in checked.rejected}
    assert by_position[1].field == "team" and by_position[1].rule == "exchange.schema"
    assert by_position[1].zh and by_position[1].en
    assert by_position[2].rule == "exchange.repeated"


def test_a_csv_file_reads_as_the_same_records():
    text = (
        "kind,id,occurred_at,certification_id,audit_id,audit_kind,method,start_on,end_on,"
        "planned_days,team\n"
        "audit-plan,p1,2026-05-02T09:00:00+08:00,cert1,s1,stage1,FS02,2026-05-10,2026-05-10,"
        '1.5,"[{""registration_no"": ""2020-N1QMS-0001"", ""role"": ""leader""}]"\n'
    )
    records = tabular.read("plans.csv", text.encode(), 1 << 20)
    assert records == [PLAN]
    assert check_records(records, NOW).good


def test_an_xlsx_workbook_reads_with_dotted_columns_and_excel_times():
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["kind", "id", "occurred_at", "certification_id", "organisation.uscc",
                  "organisation.name", "organisation.region", "scheme_id", "sectors",
                  "received_on"])  # fmt: skip
    sheet.append(["application", "a1", datetime(2026, 5, 1, 9, 0), "cert1", "91110108551385082Q",
                  "示例公司", "110108", "iso9001", "17;18", datetime(2026, 5, 1)])  # fmt: skip
    out = BytesIO()
    book.save(out)
    [record] = tabular.read("a.xlsx", out.getvalue(), 1 << 20)
    assert record["organisation"]["uscc"] == "91110108551385082Q"
    assert record["occurred_at"] == "2026-05-01T09:00:00+08:00"  # China Standard Time
    assert record["sectors"] == [17, 18]
    assert check_records([record], NOW).good


def test_a_file_that_is_no_table_is_refused_in_both_languages():
    with pytest.raises(tabular.TableInvalid) as refused:
        tabular.read("x.csv", b"\xff\xfe\x00", 1 << 20)
    assert "CSV" in str(refused.value) and "编码" in str(refused.value)
    with pytest.raises(tabular.TableInvalid):
        tabular.read("x.csv", b"a,b\n1,2\n", 1 << 20)
    too_many = "kind,id\n" + "application,a\n" * 1001
    with pytest.raises(tabular.TableInvalid):
        tabular.read("x.csv", too_many.encode(), 1 << 20)
    # a field past the csv module's limit (128 KiB) is a refusal, not a server error
    with pytest.raises(tabular.TableInvalid) as refused:
        tabular.read("x.csv", b"kind,id\na," + b"x" * 200_000 + b"\n", 1 << 20)
    assert "not a CSV file" in str(refused.value) and "不是有效的 CSV" in str(refused.value)


def test_lines_ended_by_a_bare_carriage_return_are_read_as_lines():
    # what made the upload fail with "new-line character seen in unquoted field"
    assert tabular.read("x.csv", b"kind,id\rapplication,a\rplan,b\r", 1 << 20) == [
        {"kind": "application", "id": "a"},
        {"kind": "plan", "id": "b"},
    ]
    assert tabular.read("x.csv", b"kind,id\r\napplication,a\rb\r\n", 1 << 20)[0] == {
        "kind": "application",
        "id": "a",
    }
