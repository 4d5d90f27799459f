"""Side effects after a commit: retried when they lose a race, reconciled when they failed."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

import qcert.bus as qbus
from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential, PublishStatus
from qcert.credentials.keystore import KeyStore
from qcert.lifecycle import AddBodyKey, SuspendCertificate
from qcert.lifecycle.model import PublishedStatusList
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.uow import UnitOfWork
from tests.integration.credentials.test_status import _bits, _credential, _lists
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401

HOST = "cert.example"


@pytest.fixture
def keys(world, engine, tmp_path):  # noqa: F811
    store = KeyStore(tmp_path / "bodies")
    key_id, key = store.create("cb1")
    qbus.handle(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        ),
        UnitOfWork(engine),
    )
    return store


def test_what_failed_after_a_commit_is_owed_and_reconciled(world, engine, keys):  # noqa: F811
    # The world's units of work have no key store: the grant commits, its credential is owed.
    certify(world, on=date(2024, 1, 10))
    assert qbus.owed(engine, HOST) == [IssueCredential("cert1", HOST)]
    make = lambda: UnitOfWork(engine, "reconcile", keys=keys, host=HOST)  # noqa: E731
    seen = []
    report = qbus.reconcile(make, HOST, lambda n, total: seen.append((n, total)))
    assert report.done == [IssueCredential("cert1", HOST)] and not report.failed
    assert seen == [(1, 1)]
    assert _credential(engine)["credentialSubject"]["certificateNumber"] == "00123Q0001"
    assert qbus.owed(engine, HOST) == []

    world(SuspendCertificate("cert1", "overdue surveillance", date(2024, 3, 31)))
    assert qbus.owed(engine, HOST) == [PublishStatus(("cert1",), HOST)]
    qbus.reconcile(make, HOST)
    index = int(_credential(engine)["credentialStatus"][1]["statusListIndex"])
    assert _bits(engine, _lists(engine, "suspension")[-1])[index]
    assert qbus.owed(engine, HOST) == [] and qbus.reconcile(make, HOST).done == []
    assert check_projections(engine) == []


def test_reconcile_reports_what_it_cannot_do(world, engine, tmp_path):  # noqa: F811
    certify(world, on=date(2024, 1, 10))  # cb1 has no signing key at all
    make = lambda: UnitOfWork(engine, keys=KeyStore(tmp_path / "k"), host=HOST)  # noqa: E731
    report = qbus.reconcile(make, HOST)
    assert report.done == []
    ((cmd, why),) = report.failed
    assert cmd == IssueCredential("cert1", HOST) and "no live signing key" in why
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.credentials)).scalar() == 0


def test_a_side_effect_that_loses_a_race_is_retried(world, engine, keys, monkeypatch):  # noqa: F811
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two publications cannot interleave")
    certify(world, on=date(2024, 1, 10))
    make = lambda: UnitOfWork(engine, "dec1", keys=keys, host=HOST)  # noqa: E731
    qbus.handle(IssueCredential("cert1", HOST), make())
    real = qbus.HANDLERS[PublishStatus]
    raced, calls = [], []

    def racing(cmd, uow):
        # We read the list; a rival publishes the same change before we write ours.
        uow.get(PublishedStatusList, "cb1.suspension.1")
        calls.append(cmd)
        if not raced:
            raced.append(cmd)
            qbus.handle(cmd, make())
        real(cmd, uow)

    monkeypatch.setitem(qbus.HANDLERS, PublishStatus, racing)
    qbus.handle(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)), make())
    assert raced == [PublishStatus(("cert1",), HOST)]
    assert len(calls) == 3  # ours, the rival's, and our retry after losing
    versions = _lists(engine, "suspension")
    assert [v["version"] for v in versions] == [1, 2]  # the rival's; the retry found it done
    assert qbus.owed(engine, HOST) == []
    assert check_projections(engine) == []


def test_the_publishing_clock_is_the_unit_of_works(world, engine, keys):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    at = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    uow = UnitOfWork(engine, keys=keys, host=HOST, clock=lambda: at)
    qbus.handle(IssueCredential("cert1", HOST), uow)
    assert _credential(engine)["proof"]["created"] == "2024-02-01T09:30:00Z"
    assert _lists(engine, "revocation")[0]["valid_from"] == "2024-02-01T09:30:00Z"
    assert at + timedelta(0) == uow.clock()
