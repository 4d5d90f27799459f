"""The HTTP API over a ledger (FastAPI TestClient), on SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from qcert.ledger import verify_checkpoint, verify_proof
from qcert.server import create_app
from tests.services import make_services


@pytest.fixture
def setup(engine, tmp_path):
    services = make_services(engine, tmp_path / "data")
    ledger = services.ledger
    ledger.append([b"alpha", b"beta"])
    ledger.sign_due()  # the server's schedule signs size 2, then size 3
    ledger.append([b"gamma"])
    ledger.sign_due()
    return TestClient(create_app(services, schedule=False)), ledger


def test_checkpoint_and_keys(setup):
    client, _ = setup
    vkeys = client.get("/ledger/keys").json()["vkeys"]
    for suite, origin in (("sha256", "test.qcert/ledger"), ("sm3", "test.qcert/ledger/sm3")):
        note = client.get("/ledger/checkpoint", params={"suite": suite}).text
        checkpoint, _, good = verify_checkpoint(note, vkeys)
        assert (checkpoint.origin, checkpoint.size, len(good)) == (origin, 3, 2)


def test_proof_bundle_verifies_offline(setup):
    client, _ = setup
    vkeys = client.get("/ledger/keys").json()["vkeys"]
    bundle = client.get("/ledger/proof/1", params={"size": 2}).text
    assert verify_proof(bundle, b"beta", vkeys[:1]).checkpoint.size == 2
    newest = client.get("/ledger/proof/1").text
    assert verify_proof(newest, b"beta", vkeys[:1]).checkpoint.size == 3
    assert client.get("/ledger/entries/1").content == b"beta"


def test_no_request_makes_the_server_sign(setup):
    client, ledger = setup
    before = list(ledger.storage.checkpoints())
    for size in (1, 2, 3):  # size 1 was never signed: asking for it signs nothing
        client.get("/ledger/proof/0", params={"size": size})
    client.get("/ledger/checkpoint")
    client.get("/ledger/consistency", params={"old": 1, "new": 3})
    assert list(ledger.storage.checkpoints()) == before
    assert client.get("/ledger/proof/0", params={"size": 1}).status_code == 404


def test_an_entry_not_yet_in_a_signed_checkpoint_has_no_proof_yet(setup):
    client, ledger = setup
    ledger.append([b"delta"])
    answer = client.get("/ledger/proof/3")
    assert answer.status_code == 404
    assert "not in the signed checkpoint" in answer.json()["error"]["message"]
    ledger.sign_due()
    assert client.get("/ledger/proof/3").status_code == 200


def test_errors_have_one_shape(setup):
    client, _ = setup
    missing = client.get("/ledger/proof/9")
    assert missing.status_code == 404
    body = missing.json()["error"]
    assert body["code"] == "not_found"
    assert body["message"].startswith("entry 9 is not in the signed checkpoint of size 3")
    assert body["message_zh"]
    bad = client.get("/ledger/consistency", params={"old": 0, "new": 2})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("old:")
    assert client.get("/ledger/consistency", params={"old": 3, "new": 2}).status_code == 404


def test_consistency_json(setup):
    client, _ = setup
    body = client.get("/ledger/consistency", params={"old": 2, "new": 3}).json()
    assert body["new"]["size"] == 3 and len(body["proof"]) >= 1


def test_huge_indices_are_refused_naming_the_field(setup):
    client, _ = setup
    for path in ("/ledger/proof/9223372036854775808", "/ledger/entries/99999999999999999999"):
        answer = client.get(path)
        assert answer.status_code == 422
        assert answer.json()["error"]["message"].startswith("index:")
