"""A certificate issued as a credential: signed by its body, a ledger leaf, provable offline."""

import hashlib
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from qcert.credentials import multibase_public_key
from qcert.credentials.certificate import verify_credential
from qcert.credentials.commands import IssueCredential
from qcert.credentials.did import did_document, did_web
from qcert.errors import QcertError
from qcert.ledger import verify_proof
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle.commands import AddBodyKey
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", host="cert.example", clock=clock)


@pytest.fixture
def keys(services):
    return services.keys


@pytest.fixture
def run(services):
    return system_bus(services)


def test_a_certificate_becomes_a_provable_credential(world, engine, keys, run, services):  # noqa: F811
    certify(world)
    key_id, key = keys.create("cb1")
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2023, 1, 1, tzinfo=UTC)
        )
    )
    run(IssueCredential("cert1"))
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
    ledger = services.ledger
    ledger.sign_due()
    bundle = ledger.prove_signed(row["ledger_index"])
    assert verify_proof(bundle, entry, [ledger.verifiers()[0].vkey()]).index == row["ledger_index"]
    assert check_projections(engine) == []


def test_no_credential_without_a_live_key_or_for_a_suspended_certificate(world, engine, keys, run):  # noqa: F811
    from datetime import date

    from qcert.lifecycle import SuspendCertificate
    from qcert.schemes import RuleViolation

    certify(world)
    with pytest.raises(QcertError, match="no live signing key: run `qcert keys add-body-key cb1`"):
        run(IssueCredential("cert1"))
    key_id, key = keys.create("cb1")
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2023, 1, 1, tzinfo=UTC)
        )
    )
    world(SuspendCertificate("cert1", "r", date(2024, 1, 1)))
    before = SqlLedgerStorage(engine).size()
    with pytest.raises(RuleViolation, match="cannot issue a credential for a suspended"):
        run(IssueCredential("cert1"))
    assert SqlLedgerStorage(engine).size() == before  # the credential entry was rolled back too


def test_every_grant_and_renewal_is_issued_as_a_credential_after_commit(world, engine, keys, run):  # noqa: F811
    from datetime import date

    from qcert.lifecycle import CompleteAudit, Decide, PlanAudit, TechnicalReview
    from tests.integration.lifecycle.conftest import TEAM

    key_id, key = keys.create("cb1")
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    certify(run, on=date(2020, 3, 1))  # grant: one credential
    run(
        PlanAudit(
            "cert1",
            "rc",
            "recertification",
            TEAM,
            "FS01",
            date(2021, 2, 1),
            date(2021, 2, 1),
            3.5,
            ["hq", "plant"],
        )
    )
    run(CompleteAudit("cert1", "rc", 3.5, date(2021, 2, 1)))
    run(TechnicalReview("cert1", "rev1", "renew"))
    run(Decide("cert1", "dec2", "renew", date(2023, 1, 10)))  # renewal: a second one
    with engine.connect() as conn:
        rows = (
            conn.execute(sa.select(t.credentials).order_by(t.credentials.c.ledger_index))
            .mappings()
            .all()
        )
    assert [r["number"] for r in rows] == ["00123Q0001", "00123Q0001"]
    latest = json.loads(SqlLedgerStorage(engine).entry(rows[-1]["ledger_index"]))
    assert latest["validUntil"].startswith("2026-02-28")
    assert check_projections(engine) == []


def test_a_body_without_a_key_still_grants(world, engine, run):  # noqa: F811
    certify(run)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.credentials)).scalar() == 0
        assert conn.execute(sa.select(t.certificates.c.status)).scalar() == "active"
