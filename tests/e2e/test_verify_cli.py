"""`qcert verify`: a credential checked offline, and each failure named in one line in each
language."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qcert.cli.main import app
from qcert.credentials import multibase_public_key
from qcert.credentials.did import did_document, did_web
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import AddBodyKey
from qcert.store import tables as t
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", host="cert.example", clock=clock)


@pytest.fixture
def files(world, services, engine, tmp_path):  # noqa: F811
    key_id, key = services.keys.create("cb1")
    run = system_bus(services)
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    certify(run)
    ledger = services.ledger
    ledger.sign_due()
    with engine.connect() as conn:
        index = conn.execute(sa.select(t.credentials.c.ledger_index)).scalar()
        key_rows = [dict(r) for r in conn.execute(sa.select(t.body_keys)).mappings()]
    paths = {name: tmp_path / name for name in ("vc.json", "did.json", "vc.tlog-proof")}
    paths["vc.json"].write_bytes(ledger.entry(index))
    paths["did.json"].write_text(json.dumps(did_document(did_web("cert.example", "cb1"), key_rows)))
    paths["vc.tlog-proof"].write_text(ledger.prove_signed(index))
    return paths, ledger.verifiers()[0].vkey()


def run(*args):
    return CliRunner().invoke(app, ["verify", *map(str, args)])


def test_a_credential_verifies_offline_with_its_log_proof(files):
    paths, vkey = files
    result = run(
        paths["vc.json"],
        "--did-doc",
        paths["did.json"],
        "--proof",
        paths["vc.tlog-proof"],
        "--vkey",
        vkey,
        "--at",
        "2024-01-01T00:00:00Z",
        "--json",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["number"] == "00123Q0001" and body["within_validity"] and "index" in body["ledger"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda vc: vc | {"validUntil": "2099-01-01T00:00:00Z"}, "signature does not match"),
        (
            lambda vc: vc | {"issuer": "did:web:evil.example:bodies:cb1"},
            "is not the DID document's",
        ),
    ],
)
def test_each_failure_is_named_in_one_line(files, change, message):
    paths, _ = files
    paths["vc.json"].write_text(json.dumps(change(json.loads(paths["vc.json"].read_text()))))
    result = run(paths["vc.json"], "--did-doc", paths["did.json"])
    assert result.exit_code == 1
    english, chinese = result.output.strip().splitlines()  # one line in each language
    assert message in english and "电子证书验证失败" in chinese


def test_changed_ids_and_wrong_ledger_keys_are_caught(files):
    paths, _ = files
    vc = json.loads(paths["vc.json"].read_text())
    other = paths["vc.json"].with_name("other.json")
    other.write_text(json.dumps(vc | {"id": "urn:qcert:certificate:other"}))
    result = run(other, "--did-doc", paths["did.json"])
    assert result.exit_code == 1  # the signature covers the id
    bad_key = run(
        paths["vc.json"],
        "--did-doc",
        paths["did.json"],
        "--proof",
        paths["vc.tlog-proof"],
        "--vkey",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    )
    assert bad_key.exit_code == 1 and "no signature from a known key" in bad_key.output


def _write_lists(engine, tmp_path):
    storage = SqlLedgerStorage(engine)
    paths = []
    with engine.connect() as conn:
        for purpose in ("revocation", "suspension"):
            index = conn.execute(
                sa.select(t.status_lists.c.ledger_index)
                .where(t.status_lists.c.purpose == purpose)
                .order_by(t.status_lists.c.version.desc())
            ).first()[0]
            path = tmp_path / f"{purpose}.json"
            path.write_bytes(storage.entry(index))
            paths.append(path)
    return paths


def test_status_lists_given_offline_say_whether_it_was_suspended(files, engine, tmp_path, services):
    from datetime import date

    from qcert.lifecycle import SuspendCertificate

    paths, _ = files
    lists = _write_lists(engine, tmp_path)
    args = [paths["vc.json"], "--did-doc", paths["did.json"], "--at", "2024-06-01T00:00:00Z"]
    fine = run(*args, "--status-list", lists[0], "--status-list", lists[1], "--json")
    assert fine.exit_code == 0, fine.output
    assert json.loads(fine.stdout)["status"] == {"revocation": False, "suspension": False}
    system_bus(services)(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)))
    lists = _write_lists(engine, tmp_path)
    suspended = run(*args, "--status-list", lists[0], "--status-list", lists[1])
    assert suspended.exit_code == 1 and "certificate 00123Q0001 is suspended" in suspended.output
    assert "证书 00123Q0001 已暂停" in suspended.output
    missing = run(*args, "--status-list", lists[0])
    assert missing.exit_code == 1 and "no suspension list" in missing.output
    forged = json.loads(lists[1].read_text())
    forged["credentialSubject"]["encodedList"] = json.loads(lists[0].read_text())[
        "credentialSubject"
    ]["encodedList"]
    lists[1].write_text(json.dumps(forged))
    caught = run(*args, "--status-list", lists[0], "--status-list", lists[1])
    assert caught.exit_code == 1 and "signature does not match" in caught.output


def test_without_status_lists_the_result_says_status_was_not_checked(files, services):
    from datetime import date

    from qcert.lifecycle import SuspendCertificate

    paths, _ = files
    system_bus(services)(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)))
    args = [paths["vc.json"], "--did-doc", paths["did.json"], "--at", "2024-06-01T00:00:00Z"]
    body = json.loads(run(*args, "--json").stdout)
    assert body["status_checked"] is False
    assert "--status-list" in body["status_not_checked"]["en"]
    assert "未检查" in body["status_not_checked"]["zh-CN"]
    text = run(*args)
    assert text.exit_code == 0
    assert "NOT CHECKED" in text.stdout and "未检查" in text.stdout


def test_with_status_lists_the_result_says_status_was_checked(files, engine, tmp_path):
    paths, _ = files
    lists = _write_lists(engine, tmp_path)
    args = [paths["vc.json"], "--did-doc", paths["did.json"], "--at", "2024-06-01T00:00:00Z"]
    checked = run(*args, "--status-list", lists[0], "--status-list", lists[1], "--json")
    body = json.loads(checked.stdout)
    assert body["status_checked"] is True and "status_not_checked" not in body


def test_a_file_that_is_not_json_is_refused_in_both_languages(files, tmp_path):
    paths, _ = files
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    result = run(junk, "--did-doc", paths["did.json"])
    assert result.exit_code == 1
    assert "is not JSON" in result.output and "不是 JSON" in result.output
