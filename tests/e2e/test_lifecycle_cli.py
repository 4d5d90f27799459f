"""`qcert lifecycle ...` end to end on the test databases."""

import json

import pytest

from tests import office_files
from tests.e2e.conftest import cli_at


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    run = cli_at(tmp_path / "data", database_url, monkeypatch)
    return run


PASSWORD = "correct horse battery"


def _login(qcert, account: str) -> None:
    from unittest import mock

    with mock.patch("getpass.getpass", return_value=PASSWORD):
        qcert("login", account)


def _open(qcert, account: str, *roles: str) -> None:
    """The operator (a platform administrator) opens an account with ``roles``."""
    payload = {"account_id": account, "display_name": account, "roles": list(roles)}
    qcert("lifecycle", "do", "open-account", json.dumps({**payload, "password": PASSWORD}))


BODY = {
    "body_id": "cb",
    "approval_no": "CNCA-R-1",
    "name_zh": "机构",
    "name_en": "Body",
    "accreditation": "CNAS C1",
}
CLIENT = {
    "client_id": "c",
    "uscc": "91110108551385082Q",
    "name_zh": "公司",
    "name_en": "Co",
    "address": "北京",
    "adcode": "110108",
    "personnel": 5,
    "sites": [],
}


def test_commands_run_and_certifications_read_back(qcert, tmp_path):
    out = json.loads(qcert("lifecycle", "do", "register-body", json.dumps(BODY), "--json").stdout)
    assert len(out["ledger_indices"]) == 1
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
    assert bad.exit_code == 1 and "approval_no: Field required [input.invalid" in bad.output
    assert "批准文号：缺少此字段" in bad.output
    nope = qcert("lifecycle", "do", "fly-to-moon", "{}", ok=False)
    assert "no command 'fly-to-moon'" in nope.output
    client = {**CLIENT, "uscc": "91110108551385082A"}  # check character wrong
    refused = qcert("lifecycle", "do", "register-client", json.dumps(client), ok=False)
    assert "[uscc.check, GB 32100-2015 4.3]" in refused.output
    assert "统一社会信用代码" in refused.output
    missing = qcert("lifecycle", "show", "nothing", ok=False)
    assert "no certification 'nothing'" in missing.output


def test_add_body_key_keeps_the_private_key_owner_only(qcert, tmp_path):
    qcert("lifecycle", "do", "register-body", json.dumps(BODY))
    # The operator runs the platform, not the body: the body's own administrator adds keys.
    refused = qcert("keys", "add-body-key", "cb", ok=False)
    assert refused.exit_code == 1 and "cb-admin" in refused.output
    _open(qcert, "cbadmin", "cb-admin@body:cb")
    _login(qcert, "cbadmin")
    out = json.loads(qcert("keys", "add-body-key", "cb", "--json").stdout)
    assert out["public_key_multibase"].startswith("z6Mk") and out["ledger_indices"]
    key_file = tmp_path / "data" / "keys" / "bodies" / "cb" / f"{out['key_id']}.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    other = qcert("keys", "add-body-key", "nobody", ok=False)
    assert other.exit_code == 1 and "[access.role]" in other.output
    assert not (tmp_path / "data" / "keys" / "bodies" / "nobody").exists()


def test_the_command_line_acts_as_the_signed_in_account_and_names_it(qcert, tmp_path):
    import sqlalchemy as sa

    from qcert.store import create_engine
    from qcert.store import tables as t

    assert json.loads(qcert("whoami", "--json").stdout)["account_id"] == "operator"
    qcert("lifecycle", "do", "register-body", json.dumps(BODY))
    _open(qcert, "cbadmin", "cb-admin@body:cb")
    _login(qcert, "cbadmin")
    assert json.loads(qcert("whoami", "--json").stdout) == {
        "account_id": "cbadmin",
        "roles": ["cb-admin@body:cb"],
    }
    auditor = {"auditor_id": "a1", "registration_no": "R1", "name_zh": "审核员", "body_id": "cb"}
    qcert("lifecycle", "do", "register-auditor", json.dumps(auditor))
    import os

    engine = create_engine(os.environ["QCERT_DATABASE_URL"])
    with engine.connect() as conn:
        documents = conn.execute(sa.select(t.events.c.document)).scalars().all()
    engine.dispose()
    assert any('"actor":"cbadmin"' in d and "auditor.registered" in d for d in documents)
    assert any('"actor":"operator"' in d and "body.registered" in d for d in documents)
    # No option picks who to act as: an actor named on the command line is refused outright.
    forged = qcert("lifecycle", "do", "register-auditor", "{}", "--actor", "nobody", ok=False)
    assert forged.exit_code != 0 and "No such option" in forged.output
    qcert("logout")
    assert json.loads(qcert("whoami", "--json").stdout)["account_id"] == "operator"
    assert not (tmp_path / "data" / "cli-session").exists()


def test_a_saved_sign_in_ends_with_the_accounts_sessions(qcert):
    qcert("lifecycle", "do", "register-body", json.dumps(BODY))
    _open(qcert, "cbadmin", "cb-admin@body:cb")
    _login(qcert, "cbadmin")
    change = {"account_id": "cbadmin", "current_password": PASSWORD, "password": "x" * 16}
    qcert("lifecycle", "do", "change-password", json.dumps(change))  # keeps this session
    assert json.loads(qcert("whoami", "--json").stdout)["account_id"] == "cbadmin"
    qcert("lifecycle", "do", "revoke-sessions", json.dumps({"account_id": "cbadmin"}))
    ended = qcert("whoami", ok=False)
    assert ended.exit_code == 1 and "qcert login" in ended.output


def test_a_document_is_given_with_its_bytes_by_the_organisations_user(qcert, tmp_path):
    qcert("lifecycle", "do", "register-client", json.dumps(CLIENT))
    manual = tmp_path / "manual.txt"
    manual.write_text("质量手册\n1 范围\n", encoding="utf-8")
    refused = qcert("lifecycle", "upload", "c", manual, "--purpose", "manual", ok=False)
    assert refused.exit_code == 1 and "[access.role]" in refused.output  # the operator's not it
    _open(qcert, "cadmin", "client-admin@client:c")
    _login(qcert, "cadmin")
    done = json.loads(
        qcert("lifecycle", "upload", "c", manual, "--purpose", "manual", "--json").stdout
    )
    stored = tmp_path / "data" / "documents" / done["sha256"][:2] / done["sha256"][2:]
    assert stored.read_bytes() == manual.read_bytes() and len(done["ledger_indices"]) == 1
    markup = tmp_path / "page.txt"
    markup.write_text("<html><script>x</script></html>")
    wrong = qcert("lifecycle", "upload", "c", markup, ok=False)
    assert wrong.exit_code == 1 and "not a PDF, PNG, JPEG, Word or Excel file" in wrong.output
    book = tmp_path / "检验记录.xlsx"
    book.write_bytes(office_files.xlsx())  # a workbook is taken, checked as what it is
    taken = json.loads(qcert("lifecycle", "upload", "c", book, "--purpose", "r", "--json").stdout)
    assert len(taken["ledger_indices"]) == 1
    macros = tmp_path / "宏.xlsx"
    macros.write_bytes(office_files.xlsx_with_vba())  # macros are not, whatever the name says
    assert qcert("lifecycle", "upload", "c", macros, ok=False).exit_code == 1
