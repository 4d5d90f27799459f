"""A certificate issued as a credential: signed by its body, a ledger leaf, provable offline."""

import hashlib
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from qcert.bus import handle
from qcert.credentials import multibase_public_key
from qcert.credentials.certificate import verify_credential
from qcert.credentials.commands import IssueCredential
from qcert.credentials.did import did_document, did_web
from qcert.credentials.keystore import KeyStore
from qcert.errors import QcertError
from qcert.ledger import Ledger, generate_ed25519, verify_proof
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle.commands import AddBodyKey
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.uow import UnitOfWork
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401


@pytest.fixture
def keys(tmp_path):
    return KeyStore(tmp_path / "bodies")


def test_a_certificate_becomes_a_provable_credential(world, engine, keys):  # noqa: F811
    certify(world)
    key_id, key = keys.create("cb1")
    run = lambda cmd: handle(cmd, UnitOfWork(engine, actor="dec1", keys=keys))  # noqa: E731
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2023, 1, 1, tzinfo=UTC)
        )
    )
    run(IssueCredential("cert1", "cert.example"))
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.credentials)).mappings().one()
        key_rows = [dict(r) for r in conn.execute(sa.select(t.body_keys)).mappings()]
    storage = SqlLedgerStorage(engine)
    entry = storage.entry(row["ledger_index"])
    assert hashlib.sha256(entry).hexdigest() == row["sha256"]
    credential = json.loads(entry)
    document = did_document(did_web("cert.example", "cb1"), key_rows)
    check = verify_credential(credential, document, datetime(2024, 1, 1, tzinfo=UTC))
    assert check.number == "00123Q0001" and check.method.endswith(f"#{key_id}")
    assert credential["credentialSubject"]["id"] == "urn:uscc:91110108551385082Q"
    assert credential["credentialSubject"]["sites"][1] == {
        "site": "plant",
        "scope": credential["credentialSubject"]["scope"],
    }
    ledger = Ledger(storage, "t/l", [generate_ed25519("t/l")])
    bundle = ledger.prove(row["ledger_index"])
    assert verify_proof(bundle, entry, [ledger.verifiers()[0].vkey()]).index == row["ledger_index"]
    assert check_projections(engine) == []


def test_no_credential_without_a_live_key_or_for_a_suspended_certificate(world, engine, keys):  # noqa: F811
    from datetime import date

    from qcert.lifecycle import SuspendCertificate
    from qcert.schemes import RuleViolation

    certify(world)
    with pytest.raises(QcertError, match="no live signing key"):
        handle(IssueCredential("cert1", "cert.example"), UnitOfWork(engine, keys=keys))
    key_id, key = keys.create("cb1")
    handle(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2023, 1, 1, tzinfo=UTC)
        ),
        UnitOfWork(engine),
    )
    world(SuspendCertificate("cert1", "r", date(2024, 1, 1)))
    before = SqlLedgerStorage(engine).size()
    with pytest.raises(RuleViolation, match="cannot issue a credential for a suspended"):
        handle(IssueCredential("cert1", "cert.example"), UnitOfWork(engine, keys=keys))
    assert SqlLedgerStorage(engine).size() == before  # the credential entry was rolled back too
