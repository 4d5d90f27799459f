"""`qcert lifecycle ...` end to end on the test databases."""

import json

import pytest
from typer.testing import CliRunner

from qcert.cli.main import app


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QCERT_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, [str(a) for a in args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("init", "--origin", "cli.test/ledger")
    return run


def test_commands_run_and_certifications_read_back(qcert, tmp_path):
    body = {
        "body_id": "cb",
        "approval_no": "CNCA-R-1",
        "name_zh": "机构",
        "name_en": "Body",
        "accreditation": "CNAS C1",
    }
    out = json.loads(qcert("lifecycle", "do", "register-body", json.dumps(body), "--json").stdout)
    assert out["ledger_indices"] == [0]
    payload = tmp_path / "scope.json"
    payload.write_text(
        json.dumps(
            {"body_id": "cb", "scheme_id": "iso9001", "sectors": [17], "valid_from": "2020-01-01"}
        )
    )
    qcert("lifecycle", "do", "grant-body-scope", f"@{payload}")
    names = json.loads(qcert("lifecycle", "commands", "--json").stdout)
    assert "plan-audit" in names and "start" in names["plan-audit"]


def test_bad_payloads_and_refusals_name_the_field_and_rule(qcert):
    bad = qcert("lifecycle", "do", "register-body", '{"body_id": "cb"}', ok=False)
    assert bad.exit_code == 1 and "register-body: approval_no: Field required" in bad.output
    nope = qcert("lifecycle", "do", "fly-to-moon", "{}", ok=False)
    assert "no command 'fly-to-moon'" in nope.output
    client = {
        "client_id": "c",
        "uscc": "91110108551385082A",
        "name_zh": "公司",
        "name_en": "",
        "address": "北京",
        "adcode": "110108",
        "personnel": 5,
        "sites": [],
    }
    refused = qcert("lifecycle", "do", "register-client", json.dumps(client), ok=False)
    assert "[uscc.check, GB 32100-2015 4.3]" in refused.output
    assert "统一社会信用代码" in refused.output
    missing = qcert("lifecycle", "show", "nothing", ok=False)
    assert "no certification 'nothing'" in missing.output


def test_add_body_key_keeps_the_private_key_owner_only(qcert, tmp_path):
    body = {
        "body_id": "cb",
        "approval_no": "CNCA-R-1",
        "name_zh": "机构",
        "name_en": "Body",
        "accreditation": "CNAS C1",
    }
    qcert("lifecycle", "do", "register-body", json.dumps(body))
    out = json.loads(qcert("keys", "add-body-key", "cb", "--json").stdout)
    assert out["public_key_multibase"].startswith("z6Mk") and out["ledger_indices"]
    key_file = tmp_path / "data" / "keys" / "bodies" / "cb" / f"{out['key_id']}.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    missing = qcert("keys", "add-body-key", "nobody", ok=False)
    assert missing.exit_code == 1 and "no body 'nobody'" in missing.output
    assert not list((tmp_path / "data" / "keys" / "bodies" / "nobody").glob("*.key"))


def test_a_line_alarm_found_by_the_examination_is_recorded_on_the_ledger(qcert):
    client = {
        "client_id": "c",
        "uscc": "91110108551385082Q",
        "name_zh": "公司",
        "name_en": "Co",
        "address": "北京",
        "adcode": "110108",
        "personnel": 5,
        "sites": [],
    }
    qcert("lifecycle", "do", "register-client", json.dumps(client))
    out = json.loads(qcert("quality", "examine", "c", "--record", "line-1", "--json").stdout)
    assert out["alarm"] is not None and out["recorded"]
    again = qcert("quality", "examine", "c", "--record", "line-1", ok=False)
    assert again.exit_code == 1 and "is open" in again.output  # one open alarm per line
    nobody = qcert("quality", "examine", "nobody", "--record", "line-1", ok=False)
    assert nobody.exit_code == 1 and "no client 'nobody'" in nobody.output
