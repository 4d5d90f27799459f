"""Status lists: each certificate's bit flips with the lifecycle, and every version is provable."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential, PublishStatus
from qcert.credentials.dataintegrity import ProofError, public_key_from_multibase, verify_proof
from qcert.credentials.did import did_document, did_web
from qcert.credentials.statuslist import MIN_ENTRIES, StatusList
from qcert.ledger import verify_proof as verify_inclusion
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import (
    AddBodyKey,
    RestoreCertificate,
    SuspendCertificate,
    WithdrawCertificate,
)
from qcert.server import create_app
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.integration.lifecycle.conftest import (  # noqa: F401
    bus,
    certify,
    register_client,
    world,
)
from tests.services import make_services, system_bus

HOST = "cert.example"
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def services(engine, tmp_path):
    return make_services(engine, tmp_path / "services", host=HOST, clock=Clock(T0))


@pytest.fixture
def platform(world, services):  # noqa: F811
    clock = services.clock
    run = system_bus(services)
    key_id, key = services.keys.create("cb1")
    run(AddBodyKey("cb1", key_id, multibase_public_key(key.public_key()), T0 - timedelta(days=1)))
    return run, clock


def _lists(engine, purpose):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.status_lists)
            .where(t.status_lists.c.purpose == purpose)
            .order_by(t.status_lists.c.version)
        )
        return [dict(r) for r in rows.mappings()]


def _bits(engine, row) -> StatusList:
    listed = json.loads(SqlLedgerStorage(engine).entry(row["ledger_index"]))
    return StatusList.decode(listed["credentialSubject"]["encodedList"])


def _method(document, method):
    return next(
        vm["publicKeyMultibase"] for vm in document["verificationMethod"] if vm["id"] == method
    )


def _credential(engine, cid="cert1"):
    with engine.connect() as conn:
        index = conn.execute(
            sa.select(sa.func.max(t.credentials.c.ledger_index)).where(
                t.credentials.c.certification_id == cid
            )
        ).scalar_one()
    return json.loads(SqlLedgerStorage(engine).entry(index))


def test_a_credential_carries_its_bit_and_its_body_publishes_both_lists(world, engine, platform):  # noqa: F811
    run, _ = platform
    certify(world, on=date(2024, 1, 10))
    run(IssueCredential("cert1"))
    credential = _credential(engine)
    revocation, suspension = credential["credentialStatus"]
    assert (revocation["statusPurpose"], suspension["statusPurpose"]) == (
        "revocation",
        "suspension",
    )
    assert revocation["statusListIndex"] == suspension["statusListIndex"]
    index = int(revocation["statusListIndex"])
    assert 0 <= index < MIN_ENTRIES
    assert revocation["statusListCredential"] == f"https://{HOST}/bodies/cb1/status/revocation/1"
    assert revocation["id"] == f"{revocation['statusListCredential']}#{index}"
    for purpose in ("revocation", "suspension"):
        (row,) = _lists(engine, purpose)
        assert row["version"] == 1 and not _bits(engine, row)[index]
    with engine.connect() as conn:
        keys = [dict(r) for r in conn.execute(sa.select(t.body_keys)).mappings()]
    document = did_document(did_web(HOST, "cb1"), keys)
    first = _lists(engine, "revocation")[0]
    listed = json.loads(SqlLedgerStorage(engine).entry(first["ledger_index"]))
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == document["id"] and listed["validFrom"] == "2024-03-01T08:00:00Z"
    method = listed["proof"]["verificationMethod"]
    verify_proof(listed, lambda m: public_key_from_multibase(_method(document, m)))
    listed["credentialSubject"]["encodedList"] = StatusList().set_all([index]).encode()
    with pytest.raises(ProofError):
        verify_proof(listed, lambda m: public_key_from_multibase(_method(document, m)))
    assert method.startswith(document["id"])
    assert check_projections(engine) == []


def test_suspend_restore_and_withdraw_flip_the_right_bit(world, engine, platform):  # noqa: F811
    run, clock = platform
    certify(world, on=date(2024, 1, 10))
    register_client(world, "c2", "cert2")  # another organisation
    certify(world, "cert2", on=date(2024, 1, 10), number="00123Q0002", client="c2")
    run(IssueCredential("cert1"))
    run(IssueCredential("cert2"))
    mine = int(_credential(engine)["credentialStatus"][0]["statusListIndex"])
    other = int(_credential(engine, "cert2")["credentialStatus"][0]["statusListIndex"])
    assert mine != other

    clock.now = T0 + timedelta(days=30)
    run(SuspendCertificate("cert1", "overdue surveillance", date(2024, 3, 31)))
    suspension, revocation = _lists(engine, "suspension"), _lists(engine, "revocation")
    assert len(suspension) == 2 and len(revocation) == 1  # only the list that changed
    latest = _bits(engine, suspension[-1])
    assert latest[mine] and not latest[other]
    assert sum(bin(b).count("1") for b in latest.bits) == 1

    clock.now = T0 + timedelta(days=40)
    run(RestoreCertificate("cert1", date(2024, 4, 10)))
    assert not _bits(engine, _lists(engine, "suspension")[-1])[mine]

    clock.now = T0 + timedelta(days=50)
    run(WithdrawCertificate("cert1", "misuse of the mark", date(2024, 4, 20)))
    revoked = _bits(engine, _lists(engine, "revocation")[-1])
    assert revoked[mine] and not revoked[other]
    assert len(_lists(engine, "suspension")) == 3
    assert check_projections(engine) == []


def test_publishing_again_without_a_change_records_nothing(world, engine, platform):  # noqa: F811
    run, _ = platform
    certify(world, on=date(2024, 1, 10))
    run(IssueCredential("cert1"))
    before = SqlLedgerStorage(engine).size()
    assert run(PublishStatus(("cert1",))) == []
    assert SqlLedgerStorage(engine).size() == before


def test_the_status_on_past_days_is_answered_and_provable(world, engine, platform, services):  # noqa: F811
    run, clock = platform
    certify(world, on=date(2024, 1, 10))
    run(IssueCredential("cert1"))
    clock.now = T0 + timedelta(days=30)
    run(SuspendCertificate("cert1", "overdue surveillance", date(2024, 3, 31)))
    clock.now = T0 + timedelta(days=60)
    run(WithdrawCertificate("cert1", "not restored in time", date(2024, 4, 30)))

    ledger = services.ledger
    ledger.sign_due()
    client = TestClient(create_app(services, schedule=False))
    status = lambda at: client.get("/public/certificates/00123Q0001/status", params={"at": at})  # noqa: E731
    before = status("2024-02-29T00:00:00Z").json()
    assert before["revocation"] is None and before["status"] == "not-yet-published"
    assert status("2024-03-15").json()["status"] == "not-revoked-or-suspended"
    suspended = status("2024-04-15").json()
    assert suspended["status"] == "suspended" and suspended["suspension"]["version"] == 2
    assert status("2024-05-15").json()["status"] == "withdrawn"
    assert client.get("/public/certificates/00123Q0001/status").json()["status"] == "withdrawn"

    # The list served for a past day is the very entry the ledger holds, provably.
    served = client.get("/bodies/cb1/status/suspension/1", params={"at": "2024-04-15"})
    assert served.status_code == 200 and served.headers["X-List-Version"] == "2"
    index = int(served.headers["X-Ledger-Index"])
    bundle = ledger.prove_signed(index)
    assert verify_inclusion(bundle, served.content, [ledger.verifiers()[0].vkey()]).index == index
    versions = client.get("/bodies/cb1/status/suspension/1/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[1]["valid_from"] == "2024-03-31T08:00:00Z"


def test_status_queries_refuse_bad_input(world, engine, platform, services):  # noqa: F811
    run, _ = platform
    certify(world, on=date(2024, 1, 10))
    client = TestClient(create_app(services, schedule=False))
    unissued = client.get("/public/certificates/00123Q0001/status")
    assert unissued.status_code == 404 and "no credential status" in unissued.text
    run(IssueCredential("cert1"))
    bad = client.get("/public/certificates/00123Q0001/status", params={"at": "yesterday"})
    assert bad.status_code == 422 and "at: must be a date" in bad.text
    naive = client.get("/bodies/cb1/status/revocation/1", params={"at": "2024-03-01T00:00:00"})
    assert naive.status_code == 422 and "time zone" in naive.text
    assert client.get("/bodies/cb1/status/expiry/1").status_code == 422
    assert client.get("/bodies/cb1/status/revocation/2").status_code == 404


def test_a_late_record_adds_to_the_history_and_never_changes_what_was_answered(
    world,  # noqa: F811
    engine,
    platform,
    services,
):
    from qcert.access import Principal
    from qcert.lifecycle import ApproveLateRecord

    run, clock = platform
    certify(world, on=date(2024, 1, 10))
    run(IssueCredential("cert1"))
    client = TestClient(create_app(services, schedule=False))
    status = lambda at: client.get("/public/certificates/00123Q0001/status", params={"at": at})  # noqa: E731
    before = status("2024-03-15T00:00:00Z").json()
    assert before["status"] == "not-revoked-or-suspended"

    # On 31 March the body learns it should have suspended on 10 March: a second
    # decision-maker approves the late record, another records it.
    clock.now = T0 + timedelta(days=30)
    dec = lambda who: Principal(who, frozenset({("decision-maker", "body:cb1")}))  # noqa: E731
    services.bus.handle(
        ApproveLateRecord("cert1", "suspend", date(2024, 3, 10), "board minutes found late"),
        dec("dec2"),
    )
    services.bus.handle(SuspendCertificate("cert1", "misuse", date(2024, 3, 10)), dec("dec1"))

    # What was answered for 15 March stays what it was; from 31 March on, it is suspended.
    assert status("2024-03-15T00:00:00Z").json() == before
    assert status("2024-04-01").json()["status"] == "suspended"
    clock.now = T0 + timedelta(days=31)  # restored the day it is recorded: on time
    services.bus.handle(RestoreCertificate("cert1", date(2024, 4, 1)), dec("dec1"))
    history = client.get("/public/certificates/00123Q0001").json()["history"]
    suspended, restored = history[-2:]
    assert suspended["event"] == "certificate.suspended" and suspended["on"] == "2024-03-10"
    assert suspended["recorded_at"].startswith("2024-03-31") and suspended["recorded_late"]
    assert restored["on"] == "2024-04-01" and not restored["recorded_late"]
    page = client.get("/v/00123Q0001").text
    assert "data-late" in page and "recorded late" in page
