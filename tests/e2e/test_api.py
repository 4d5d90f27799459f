"""The HTTP API over a ledger (FastAPI TestClient), on SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from qcert.api.app import create_app
from qcert.ledger import Ledger, generate_ed25519, generate_sm2, verify_checkpoint, verify_proof
from qcert.ledger.storage import SqlLedgerStorage


@pytest.fixture
def setup(engine):
    signers = [generate_ed25519("api.test/log"), generate_sm2("api.test/log")]
    ledger = Ledger(SqlLedgerStorage(engine), "api.test/log", signers)
    ledger.append([b"alpha", b"beta", b"gamma"])
    return TestClient(create_app(ledger)), ledger


def test_checkpoint_and_keys(setup):
    client, _ = setup
    vkeys = client.get("/ledger/keys").json()["vkeys"]
    for suite, origin in (("sha256", "api.test/log"), ("sm3", "api.test/log/sm3")):
        note = client.get("/ledger/checkpoint", params={"suite": suite}).text
        checkpoint, _, good = verify_checkpoint(note, vkeys)
        assert (checkpoint.origin, checkpoint.size, len(good)) == (origin, 3, 2)


def test_proof_bundle_verifies_offline(setup):
    client, _ = setup
    vkeys = client.get("/ledger/keys").json()["vkeys"]
    bundle = client.get("/ledger/proof/1", params={"size": 2}).text
    assert verify_proof(bundle, b"beta", vkeys[:1]).checkpoint.size == 2
    assert client.get("/ledger/entries/1").content == b"beta"


def test_errors_have_one_shape(setup):
    client, _ = setup
    missing = client.get("/ledger/proof/9")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "out_of_range", "message": "index 9 is past the tree size 3"}
    }
    bad = client.get("/ledger/consistency", params={"old": 0, "new": 2})
    assert bad.status_code == 422
    assert client.get("/ledger/consistency", params={"old": 3, "new": 2}).status_code == 404


def test_consistency_json(setup):
    client, _ = setup
    body = client.get("/ledger/consistency", params={"old": 1, "new": 3}).json()
    assert body["new"]["size"] == 3 and len(body["proof"]) == 2
