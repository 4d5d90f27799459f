"""`qcert exchange ...` end to end on the test databases, over a certified world."""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from qcert.exchange import certsearch
from tests.integration.lifecycle.conftest import (  # noqa: F401
    bus,
    certify,
    register_client,
    world,
)


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch, world):  # noqa: F811
    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QCERT_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, [str(a) for a in args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("init", "--origin", "cli.test/ledger")
    certify(world)
    return run


def test_certsearch_export_writes_a_json_batch_that_uploads(qcert, tmp_path):
    out = tmp_path / "cb_certs.json"
    summary = json.loads(
        qcert("exchange", "certsearch-export", "cb1", "--out", out, "--json").stdout
    )
    assert summary["records"] == 1 and summary["batches"] == 1
    assert summary["files"] == [{"path": str(out), "batch": 1, "records": 1}]
    doc = json.loads(out.read_text())
    assert doc["records"][0]["certification"]["certificate_number"] == "00123Q0001"
    assert certsearch.validate(doc["records"]).errors == []
    text = qcert("exchange", "certsearch-export", "cb1", "--out", out).stdout
    assert "1 certificates of cb1 (0 confidential) in 1 file(s)" in text


def test_more_than_one_batch_is_written_as_numbered_files(qcert, tmp_path, world, monkeypatch):  # noqa: F811
    # Two more organisations certified (c1 holds its one live ISO 9001 certificate of cb1).
    for n, on in ((2, date(2023, 4, 1)), (3, date(2023, 5, 1))):
        register_client(world, f"c{n}", f"cert{n}")
        certify(world, f"cert{n}", on=on, number=f"00123Q000{n}", client=f"c{n}")
    monkeypatch.setattr(certsearch, "BATCH_LIMIT", 2)
    out = tmp_path / "cb_certs.xlsx"
    summary = json.loads(
        qcert(
            "exchange", "certsearch-export", "cb1", "--format", "xlsx", "-o", out, "--json"
        ).stdout
    )
    assert [(f["path"], f["records"]) for f in summary["files"]] == [
        (str(tmp_path / "cb_certs_1.xlsx"), 2),
        (str(tmp_path / "cb_certs_2.xlsx"), 1),
    ]
    assert not out.exists()
    records = certsearch.read_xlsx((tmp_path / "cb_certs_2.xlsx").read_bytes())
    assert [r["certification"]["certificate_number"] for r in records] == ["00123Q0003"]


def test_certsearch_import_checks_an_exported_workbook_and_writes_nothing(qcert, tmp_path):
    out = tmp_path / "certs.xlsx"
    qcert("exchange", "certsearch-export", "cb1", "--format", "xlsx", "--out", out)
    checked = qcert("exchange", "certsearch-import", out)
    assert "1 records: 1 valid, 0 failed" in checked.stdout
    report = json.loads(qcert("exchange", "certsearch-import", out, "--json").stdout)
    assert (report["records"], report["valid"], report["errors"]) == (1, 1, [])


def test_certsearch_import_prints_each_record_error_and_exits_1(qcert, tmp_path):
    out = tmp_path / "certs.json"
    qcert("exchange", "certsearch-export", "cb1", "--out", out)
    doc = json.loads(out.read_text())
    doc["records"][0]["certification"]["certification_status"] = "Valid"
    del doc["records"][0]["certified_entity"]["certified_entity_name"]
    out.write_text(json.dumps(doc))
    failed = qcert("exchange", "certsearch-import", out, ok=False)
    assert failed.exit_code == 1
    assert (
        "record 1 (00123Q0001): certification.certification_status: data mapping: "
        "'Valid' is not one of Active" in failed.stdout
    )
    assert (
        "record 1 (00123Q0001): certified_entity.certified_entity_name: missing required field"
        in failed.stdout
    )
    assert "第 1 条（00123Q0001）" in failed.stdout
    assert "1 records: 0 valid, 1 failed" in failed.stdout
    as_json = qcert("exchange", "certsearch-import", out, "--json", ok=False)
    assert as_json.exit_code == 1
    kinds = {e["kind"] for e in json.loads(as_json.stdout)["errors"]}
    assert kinds == {"data mapping", "missing required field"}
    garbage = tmp_path / "garbage.json"
    garbage.write_text("[1, 2")
    refused = qcert("exchange", "certsearch-import", garbage, ok=False)
    assert refused.exit_code == 1 and "error / 错误: not JSON" in refused.output


def test_national_export_writes_the_versioned_document(qcert, tmp_path):
    out = tmp_path / "national.json"
    summary = json.loads(
        qcert(
            "exchange",
            "national-export",
            "cb1",
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
            "--out",
            out,
            "--json",
        ).stdout
    )
    assert summary["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert summary["counts"] == {
        "audit_plans": 2,
        "audit_results": 2,
        "certificates": 1,
        "status_changes": 1,
    }
    doc = json.loads(out.read_text())
    assert doc["schema"] == "urn:qcert:schema:national-report"
    assert doc["audit_plans"][0]["method"]["code"] == "FS01"
    text = qcert("exchange", "national-export", "cb1", "-o", out).stdout
    assert "audit_plans 2" in text


def test_exports_name_what_is_wrong_in_one_line(qcert, tmp_path):
    nobody = qcert("exchange", "certsearch-export", "nobody", "-o", tmp_path / "x.json", ok=False)
    assert nobody.exit_code == 1 and "error / 错误: body: no body 'nobody'" in nobody.output
    backwards = qcert(
        "exchange",
        "national-export",
        "cb1",
        "--from",
        "2024-02-01",
        "--to",
        "2024-01-01",
        "-o",
        tmp_path / "n.json",
        ok=False,
    )
    assert backwards.exit_code == 1
    assert "error / 错误: to: 2024-01-01 is before from 2024-02-01" in backwards.output
    assert not (tmp_path / "n.json").exists()
