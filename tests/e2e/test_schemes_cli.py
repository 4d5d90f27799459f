"""`qcert schemes ...` end to end."""

import json
from importlib.resources import files

from typer.testing import CliRunner

from qcert.cli.main import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["schemes", *map(str, args)])


def test_list_and_show():
    rows = json.loads(run("list", "--json").stdout)
    assert len(rows) >= 10
    assert any(r["id"] == "urn:qcert:scheme:iso9001:2015" for r in rows)
    shown = json.loads(run("show", "iso45001", "--json").stdout)
    assert shown["standard"]["code"] == "ISO 45001"
    assert "5.4" in run("show", "iso45001").stdout


def test_audit_time_json_and_refusal():
    body = json.loads(run("audit-time", "iso9001", "--personnel", 55, "--json").stdout)
    assert (body["initial_days"], body["surveillance_days"], body["recertification_days"]) == (
        5,
        1.5,
        3.5,
    )
    refused = run("audit-time", "iso9001", "--personnel", 55, "--reduction", 35)
    assert refused.exit_code == 1
    assert "exceeds the 30% cap" in refused.output and "IAF MD 5:2019 3.9" in refused.output


def test_sample_sites():
    body = json.loads(run("sample-sites", "--sites", 2, "--json").stdout)
    assert body["cycle"] == [2, 1, 1, 2]
    assert "⌈√2⌉" in run("sample-sites", "--sites", 2).stdout


def test_validate(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text((files("qcert.schemes") / "data" / "iso9001.yaml").read_text())
    assert "OK" in run("validate", good).stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: nope\n")
    result = run("validate", bad)
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "id: String should match pattern" in result.output
