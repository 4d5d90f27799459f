"""`qcert verify`: a credential checked offline, and each failure named in one line."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qcert.bus import handle
from qcert.cli.main import app
from qcert.credentials import multibase_public_key
from qcert.credentials.did import did_document, did_web
from qcert.credentials.keystore import KeyStore
from qcert.ledger import Ledger, generate_ed25519
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import AddBodyKey
from qcert.store import tables as t
from qcert.store.uow import UnitOfWork
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401


@pytest.fixture
def files(world, engine, tmp_path):  # noqa: F811
    keys = KeyStore(tmp_path / "bodies")
    key_id, key = keys.create("cb1")
    handle(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        ),
        UnitOfWork(engine),
    )
    certify(lambda cmd: handle(cmd, UnitOfWork(engine, keys=keys, host="cert.example")))
    with engine.connect() as conn:
        index = conn.execute(sa.select(t.credentials.c.ledger_index)).scalar()
        key_rows = [dict(r) for r in conn.execute(sa.select(t.body_keys)).mappings()]
    ledger = Ledger(SqlLedgerStorage(engine), "t.local/l", [generate_ed25519("t.local/l")])
    paths = {name: tmp_path / name for name in ("vc.json", "did.json", "vc.tlog-proof")}
    paths["vc.json"].write_bytes(ledger.entry(index))
    paths["did.json"].write_text(json.dumps(did_document(did_web("cert.example", "cb1"), key_rows)))
    paths["vc.tlog-proof"].write_text(ledger.prove(index))
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
    assert message in result.output and len(result.output.strip().splitlines()) == 1


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
