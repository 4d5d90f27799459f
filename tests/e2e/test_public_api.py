"""Public lookup and verification: plain verdicts in both languages, nothing confidential leaked."""

from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from qcert.credentials import multibase_public_key
from qcert.credentials.certificate import sign_credential
from qcert.credentials.commands import IssueCredential
from qcert.lifecycle import AddBodyKey, SuspendCertificate, WithdrawCertificate
from qcert.server import create_app
from tests.integration.lifecycle.conftest import (  # noqa: F401
    CONFIDENTIAL,
    bus,
    certify,
    world,
)
from tests.services import make_services, system_bus

HOST = "127.0.0.1:8000"  # the installation's public host: did:web:127.0.0.1%3A8000:bodies:…


@pytest.fixture
def public(world, engine, tmp_path, clock):  # noqa: F811
    services = make_services(engine, tmp_path / "data", host=HOST, clock=clock)
    key_id, key = services.keys.create("cb1")
    run = system_bus(services)
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    today = datetime.now(UTC).date()
    certify(world, "a", on=date(today.year - 1, today.month, 1), number="N-A")
    run(IssueCredential("a"))
    client = TestClient(create_app(services, schedule=False))
    return client, run, services.ledger


def _credential(ledger, engine):
    import json

    import sqlalchemy as sa

    from qcert.store import tables as t

    with engine.connect() as conn:
        index = conn.execute(sa.select(t.credentials.c.ledger_index)).scalar()
    return json.loads(ledger.entry(index))


def test_lookup_by_number_name_and_credit_code(public):
    client, _, _ = public
    found = client.get("/public/certificates/N-A").json()
    assert found["verdict"] == {"code": "valid", "en": "genuine and valid", "zh-CN": "真实有效"}
    assert found["uscc"] == "91110108551385082Q" and found["history"]
    assert (
        client.get("/public/certificates", params={"q": "精密"}).json()["items"][0]["number"]
        == "N-A"
    )
    assert client.get("/public/certificates", params={"q": "91110108551385082Q"}).json()["items"]
    unknown = client.get("/public/certificates/NOPE").json()
    assert unknown["verdict"]["code"] == "unknown" and unknown["verdict"]["zh-CN"] == "查无此证"


def test_verdicts_follow_suspension_and_withdrawal(public, world):  # noqa: F811
    client, _, _ = public
    today = datetime.now(UTC).date()
    world(SuspendCertificate("a", "r", today))
    assert client.get("/public/certificates/N-A").json()["verdict"]["code"] == "suspended"
    world(WithdrawCertificate("a", "r", today))
    assert client.get("/public/certificates/N-A").json()["verdict"]["zh-CN"] == "已撤销"


def test_uploaded_credentials_genuine_tampered_and_forged(public, engine):
    client, _, ledger = public
    credential = _credential(ledger, engine)
    ok = client.post("/public/verify", json=credential).json()
    assert ok["verdict"]["code"] == "valid" and ok["number"] == "N-A"
    tampered = {**credential, "validUntil": "2099-01-01T00:00:00Z"}
    assert client.post("/public/verify", json=tampered).json()["verdict"]["code"] == "tampered"
    forged = {**credential, "issuer": "did:web:127.0.0.1%3A8000:bodies:cb2"}
    assert client.post("/public/verify", json=forged).json()["verdict"]["code"] == "not-issued"
    stranger = {**credential, "issuer": "did:web:elsewhere.example:bodies:x"}
    assert client.post("/public/verify", json=stranger).json()["verdict"]["en"] == (
        "not issued by the body it names"
    )


def test_confidential_clients_show_only_what_certsearch_shows(public, world, clock):  # noqa: F811
    client, _, _ = public
    world(CONFIDENTIAL)
    from qcert.lifecycle import (
        ApplyForCertification,
        CompleteAudit,
        Decide,
        PlanAudit,
        ReviewContract,
        TechnicalReview,
    )

    day = clock().date()  # the world's clock has moved past its other records
    world(ApplyForCertification("s", "cb1", "secret", "iso9001", [17], ["hq"]))
    world(ReviewContract("s", "rev1"))
    lead = [{"auditor": "lead1", "role": "lead"}]
    world(PlanAudit("s", "s1", "stage1", lead, "FS02", day, day, 1, ["hq"]))
    world(CompleteAudit("s", "s1", 1, day))
    world(PlanAudit("s", "s2", "stage2", lead, "FS01", day, day, 3, ["hq"]))
    world(CompleteAudit("s", "s2", 3, day))
    world(TechnicalReview("s", "rev1", "grant"))
    world(Decide("s", "dec1", "grant", day, "N-S", "scope"))
    shown = client.get("/public/certificates/N-S").json()
    assert shown["verdict"]["code"] == "valid"
    assert not {"uscc", "sites", "history"} & set(shown)
    assert client.get("/public/certificates", params={"q": "保密"}).json()["items"] == []
    assert (
        client.get("/public/certificates", params={"q": "91440300708461136T"}).json()["items"] == []
    )


def test_a_credential_naming_a_host_with_a_port_verifies(public, engine):
    client, run, ledger = public
    run(IssueCredential("a"))
    credential = _credential_newest(ledger, engine)
    assert credential["issuer"] == "did:web:127.0.0.1%3A8000:bodies:cb1"
    answer = client.post("/public/verify", json=credential).json()
    assert answer["verdict"]["code"] == "valid", answer


def test_a_credential_naming_another_host_is_never_genuine(public, engine):
    # Re-issued under another issuer host with a key of its own, a credential must not pass
    # for one of ours, even though the body id, the number and the signature all line up.
    client, _, ledger = public
    unsigned = {k: v for k, v in _credential(ledger, engine).items() if k != "proof"}
    evil = "did:web:evil.example:bodies:cb1"
    forged = sign_credential(
        {**unsigned, "issuer": evil}, Ed25519PrivateKey.generate(), f"{evil}#k"
    )
    answer = client.post("/public/verify", json=forged).json()
    assert answer["verdict"]["code"] == "not-issued"
    assert "is not a body on this platform" in answer["reason"]


def test_deeply_nested_json_is_refused_not_an_error(public):
    client, _, _ = public
    deep = b"[" * 200_000 + b"]" * 200_000  # over the body cap: refused before it is read
    assert client.post("/public/verify", content=deep).status_code == 413
    nested = b'{"a":' * 5_000 + b"1" + b"}" * 5_000  # under the cap, too deep to be one
    answer = client.post("/public/verify", content=nested)
    assert answer.status_code == 422 and answer.json()["error"]["message"].startswith("credential")


def _credential_newest(ledger, engine):
    import json

    import sqlalchemy as sa

    from qcert.store import tables as t

    with engine.connect() as conn:
        index = conn.execute(sa.select(sa.func.max(t.credentials.c.ledger_index))).scalar()
    return json.loads(ledger.entry(index))


def test_kept_answers_never_outlive_a_change(public, world):  # noqa: F811
    client, _, _ = public
    today = datetime.now(UTC).date()
    for _ in range(2):  # the second answer comes from the cache
        assert client.get("/public/certificates/N-A").json()["verdict"]["code"] == "valid"
        assert 'data-verdict="valid"' in client.get("/v/N-A").text
    world(SuspendCertificate("a", "r", today))
    assert client.get("/public/certificates/N-A").json()["verdict"]["code"] == "suspended"
    assert 'data-verdict="suspended"' in client.get("/v/N-A").text
