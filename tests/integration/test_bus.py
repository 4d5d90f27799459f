"""The bus: commands authorised before they run, side effects retried when they lose a race,
and what failed after a commit reconciled later."""

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

import qcert.bus as qbus
from qcert.access import ANONYMOUS, Forbidden, Principal, Unauthenticated
from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential, PublishStatus
from qcert.credentials.status_lists import PublishedStatusList
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import AddBodyKey, OpenAccount, SuspendCertificate
from qcert.schemes import RuleViolation
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.integration.credentials.test_status import _bits, _credential, _lists
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.services import SYSTEM, make_services, system_bus

HOST = "cert.example"


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", host=HOST, clock=clock)


@pytest.fixture
def keys(world, services):  # noqa: F811
    key_id, key = services.keys.create("cb1")
    system_bus(services)(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    return services.keys


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_the_bus_authorises_every_command_before_it_runs(world, services, engine):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    suspend = SuspendCertificate("cert1", "overdue", date(2024, 3, 31))
    events = _count(engine, t.events)
    with pytest.raises(Unauthenticated):
        services.bus.handle(suspend, ANONYMOUS)
    planner = Principal("p", frozenset({("planner", "body:cb1")}))
    with pytest.raises(Forbidden, match="decision-maker"):
        services.bus.handle(suspend, planner)
    other_body = Principal("d2", frozenset({("decision-maker", "body:cb2")}))
    with pytest.raises(Forbidden):
        services.bus.handle(suspend, other_body)
    assert _count(engine, t.events) == events  # nothing recorded, not even a transaction's worth
    decider = Principal("d1", frozenset({("decision-maker", "body:cb1")}))
    assert services.bus.handle(suspend, decider).indices


def test_the_bus_validates_every_field_before_anyone_reads_it(world, services):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    with pytest.raises(RuleViolation) as refused:
        services.bus.handle(SuspendCertificate("cert1", "r", date(9999, 12, 31)), SYSTEM)
    assert refused.value.rule == "input.invalid" and refused.value.en.startswith("on:")
    with pytest.raises(RuleViolation, match="months"):
        services.bus.handle(SuspendCertificate("cert1", "r", date(2024, 3, 1), True), SYSTEM)
    with pytest.raises(RuleViolation, match="password"):
        services.bus.handle(OpenAccount("big", "Big", [], "x" * (1 << 20)), SYSTEM)


def test_events_name_the_principal_as_their_actor(world, services, engine):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    decider = Principal("dec1", frozenset({("decision-maker", "body:cb1")}))
    (index,) = services.bus.handle(
        SuspendCertificate("cert1", "r", date(2024, 3, 1)), decider
    ).indices
    with engine.connect() as conn:
        document = conn.execute(
            sa.select(t.events.c.document).where(t.events.c.ledger_index == index)
        ).scalar()
    assert '"actor":"dec1"' in document


def test_what_failed_after_a_commit_is_owed_and_reconciled(world, engine, keys, services):  # noqa: F811
    # The world's units of work run outside the bus: the grant commits, its credential is owed.
    certify(world, on=date(2024, 1, 10))
    assert services.bus.owed() == [IssueCredential("cert1")]
    seen = []
    report = services.bus.reconcile(lambda n, total: seen.append((n, total)))
    assert report.done == [IssueCredential("cert1")] and not report.failed
    assert seen == [(1, 1)]
    assert _credential(engine)["credentialSubject"]["certificateNumber"] == "00123Q0001"
    assert services.bus.owed() == []

    world(SuspendCertificate("cert1", "overdue surveillance", date(2024, 3, 31)))
    assert services.bus.owed() == [PublishStatus(("cert1",))]
    services.bus.reconcile()
    index = int(_credential(engine)["credentialStatus"][1]["statusListIndex"])
    assert _bits(engine, _lists(engine, "suspension")[-1])[index]
    assert services.bus.owed() == [] and services.bus.reconcile().done == []
    assert check_projections(engine) == []


def test_reconcile_reports_what_it_cannot_do(world, engine, services):  # noqa: F811
    certify(world, on=date(2024, 1, 10))  # cb1 has no signing key at all
    report = services.bus.reconcile()
    assert report.done == []
    ((cmd, why),) = report.failed
    assert cmd == IssueCredential("cert1") and "no live signing key" in why
    assert _count(engine, t.credentials) == 0


def test_a_status_change_from_any_face_republishes_the_lists(world, engine, keys, services):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    run = system_bus(services)
    run(IssueCredential("cert1"))
    run(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)))
    index = int(_credential(engine)["credentialStatus"][1]["statusListIndex"])
    assert _bits(engine, _lists(engine, "suspension")[-1])[index]
    assert services.bus.owed() == []


def test_a_side_effect_that_loses_a_race_is_retried(world, engine, keys, services, monkeypatch):  # noqa: F811
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two publications cannot interleave")
    certify(world, on=date(2024, 1, 10))
    run = system_bus(services)
    run(IssueCredential("cert1"))
    real = qbus.HANDLERS[PublishStatus]
    raced, calls = [], []

    def racing(cmd, uow):
        # We read the list; a rival publishes the same change before we write ours.
        uow.get(PublishedStatusList, "cb1.suspension.1")
        calls.append(cmd)
        if not raced:
            raced.append(cmd)
            run(cmd)
        real(cmd, uow)

    monkeypatch.setitem(qbus.HANDLERS, PublishStatus, racing)
    run(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)))
    assert raced == [PublishStatus(("cert1",))]
    assert len(calls) == 3  # ours, the rival's, and our retry after losing
    versions = _lists(engine, "suspension")
    assert [v["version"] for v in versions] == [1, 2]  # the rival's; the retry found it done
    assert services.bus.owed() == []
    assert check_projections(engine) == []


def test_the_publishing_clock_is_the_installations(world, engine, keys, tmp_path):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    at = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    services = make_services(engine, tmp_path / "services", host=HOST, clock=lambda: at)
    system_bus(services)(IssueCredential("cert1"))
    assert _credential(engine)["proof"]["created"] == "2024-02-01T09:30:00Z"
    assert _lists(engine, "revocation")[0]["valid_from"] == "2024-02-01T09:30:00Z"


def test_a_face_without_a_host_still_republishes_the_lists_at_their_address(
    world,  # noqa: F811
    clock,
    engine,
    keys,
    services,
    tmp_path,
):
    """The command line run without QCERT_PUBLIC_HOST suspends a certificate: the lists the
    credential points at are re-published there, signed as the issuer the credential names."""
    certify(world, on=date(2024, 1, 10))
    system_bus(services)(IssueCredential("cert1"))
    credential = _credential(engine)
    index = int(credential["credentialStatus"][1]["statusListIndex"])
    cli = make_services(engine, tmp_path / "services", clock=clock)  # same keys, no host
    assert cli.bus.host is None
    outcome = cli.bus.handle(SuspendCertificate("cert1", "overdue", date(2024, 3, 31)), SYSTEM)
    assert outcome.owed == []
    newest = _lists(engine, "suspension")[-1]
    assert newest["version"] == 2 and _bits(engine, newest)[index]
    listed = json.loads(SqlLedgerStorage(engine).entry(newest["ledger_index"]))
    assert listed["id"] == credential["credentialStatus"][1]["statusListCredential"]
    assert listed["issuer"] == credential["issuer"]
    assert cli.bus.owed() == [] and services.bus.owed() == []
    assert check_projections(engine) == []


def test_a_certificate_issued_without_a_host_says_its_credential_is_owed(
    world,  # noqa: F811
    clock,
    engine,
    keys,
    tmp_path,
):
    from qcert.lifecycle import (
        ApplyForCertification,
        CompleteAudit,
        Decide,
        PlanAudit,
        ReviewContract,
        TechnicalReview,
    )
    from tests.integration.lifecycle.conftest import TEAM

    cli = make_services(engine, tmp_path / "services", clock=clock)
    day = date(2024, 1, 10)
    world(ApplyForCertification("cert1", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    world(ReviewContract("cert1", "rev1"))
    world(PlanAudit("cert1", "s1", "stage1", TEAM, "FS01", day, day, 1.5, ["hq"]))
    world(CompleteAudit("cert1", "s1", 1.5, day))
    world(PlanAudit("cert1", "s2", "stage2", TEAM, "FS01", day, day, 3.5, ["hq", "plant"]))
    world(CompleteAudit("cert1", "s2", 3.5, day))
    world(TechnicalReview("cert1", "rev1", "grant"))
    decide = ("cert1", "dec1", "grant", day, "00123Q0001", "精密机械零件的生产")
    outcome = cli.bus.handle(Decide(*decide), SYSTEM)
    (owed,) = outcome.owed
    assert "cert1" in owed and "QCERT_PUBLIC_HOST" in owed and "电子证书待签发" in owed
    assert _count(engine, t.credentials) == 0
    # Once the host is known, the platform catches up.
    served = make_services(engine, tmp_path / "services", host=HOST, clock=clock)
    assert served.bus.reconcile().done == [IssueCredential("cert1")]


def test_commands_run_together_commit_all_or_none_each_authorised(world, services, engine):  # noqa: F811
    certify(world, on=date(2024, 1, 10))
    suspend = SuspendCertificate("cert1", "overdue", date(2024, 1, 10))
    again = SuspendCertificate("cert1", "again", date(2024, 1, 10))  # suspended already
    decider = Principal("d1", frozenset({("decision-maker", "body:cb1")}))
    events = _count(engine, t.events)
    with pytest.raises(RuleViolation, match="suspended"):
        services.bus.handle_all([suspend, again], decider)
    assert _count(engine, t.events) == events  # the first undone with the second
    planner = Principal("p", frozenset({("planner", "body:cb1")}))
    with pytest.raises(Forbidden, match="decision-maker"):
        services.bus.handle_all([suspend], planner)
    assert _count(engine, t.events) == events
    indices = services.bus.handle_all([suspend], decider).indices
    assert len(indices) == 1 and _count(engine, t.events) == events + 1
    assert check_projections(engine) == []
