"""Snapshots beside the log: every kind of aggregate round-trips through them, a load from one
equals the replay of the events, the audit names one that differs, and a snapshot is never
trusted over the events."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.access import Principal
from qcert.bus import MessageBus
from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential
from qcert.evidence.commands import RegisterDevice, RotateDeviceKey
from qcert.evidence.intake import Message
from qcert.evidence.monitor_commands import ClearStreamAlarm, FitMonitor, RaiseStreamAlarm
from qcert.exchange.submission import Envelope, envelope, sign
from qcert.ledger.hashing import SHA256
from qcert.lifecycle import (
    AcceptTransfer,
    AnswerFinding,
    ApplyForCertification,
    CheckIn,
    ClearLineAlarm,
    CloseFinding,
    GiveConsent,
    InviteUser,
    IssueApiKey,
    OpenAccount,
    OpenCase,
    RaiseFinding,
    RecordLineAlarm,
    RegisterAuditor,
    ResolveCase,
    RestoreCertificate,
    ReviewContract,
    SuspendCertificate,
    UploadDocument,
)
from qcert.lifecycle import events as ev
from qcert.lifecycle.certification import Certification
from qcert.lifecycle.commands import AddBodyKey
from qcert.notices import (
    Due,
    MarkNoticeRead,
    RecordNoticeMailed,
    SendNotices,
    SetNoticeAddress,
    notice_id,
)
from qcert.store import hub as hub_views
from qcert.store import snapshots
from qcert.store import tables as t
from qcert.store.replay import KINDS, check_projections
from qcert.store.snapshots import EVERY, SnapshotMismatch
from qcert.store.uow import UnitOfWork
from qcert.supervision import commands as hub
from qcert.supervision.draw import canonical_inputs, commitment, new_seed
from qcert.supervision.warnings import warning_id
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.integration.store.test_documents import PDF
from tests.services import SYSTEM, make_services, system_bus
from tests.unit.supervision.test_draw import inputs as draw_inputs


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", host="cert.example", clock=clock)


@pytest.fixture
def rich(world, services):  # noqa: F811
    """Every kind of aggregate, holding most of what each kind can hold."""
    run = system_bus(services)
    certify(world)
    world(CheckIn("cert1", "s2", "aud1", 39.96, 116.3))  # on the audit's day, at hq
    world(CheckIn("cert1", "s2", "aud1", 39.96, 116.3, out=True))
    key_id, key = services.keys.create("cb1")
    public = multibase_public_key(key.public_key())
    run(AddBodyKey("cb1", key_id, public, datetime(2023, 1, 1, tzinfo=UTC)))
    run(IssueCredential("cert1"))  # a credential, a status entry and two status lists
    world(RaiseFinding("cert1", "f1", "s2", "minor", "8.5", "no lot records", "aud1"))
    world(AnswerFinding("cert1", "f1", "records kept", "no checklist", "a daily checklist"))
    world(CloseFinding("cert1", "f1", "lead1", date(2023, 3, 20)))
    world(RaiseFinding("cert1", "f2", "s2", "observation", "8.5", "labels fade", "aud1"))
    run(SuspendCertificate("cert1", "overdue surveillance", date(2023, 6, 1)))
    run(RestoreCertificate("cert1", date(2023, 7, 1)))
    world(OpenCase("k1", "complaint", "cert1", "handler1", "late certificate"))
    world(ResolveCase("k1", "upheld", date(2023, 8, 1)))
    world(RegisterAuditor("rev2", "R-rev2", "评审", "cb2"))
    world(AcceptTransfer("cert1-cb2", "cb2", "cert1", "rev2", "dec2", date(2024, 5, 2), "CB2-1"))
    world(GiveConsent("c1", "cb1", "for renewals"))
    world(InviteUser("c1", "client-user"))
    sha = hashlib.sha256(PDF).hexdigest()
    pdf = ("手册.pdf", "application/pdf", len(PDF), "manual", "u1")
    world(UploadDocument("c1", sha, *pdf, content=PDF))
    world(UploadDocument("c1", sha, *pdf, certification_id="cert1-cb2", content=PDF))
    at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    world(RecordLineAlarm("c1", "line-1", 200, 161, "spe", 31.5, 20.1, ["coolant_temp"], at))
    world(ClearLineAlarm("c1", "line-1", 260, at))
    run(OpenAccount("ann", "Ann", ["planner@body:cb1"], "correct horse battery staple"))
    services.bus.handle(IssueApiKey("ann", "robot"), Principal("ann", frozenset()))
    _hub(services)
    _stream(services)
    _notices(services)
    return services


def _notices(services):
    """A notice sent, mailed and read, and an account's address for notices."""
    run = system_bus(services)
    due = Due("ann", "case-open", "body", "cert1", "k1", "2023-08-01", "cb1", "")
    run(SendNotices((due,)))
    sent = notice_id("ann", "case-open", "cert1", "k1", "2023-08-01")
    run(SetNoticeAddress("ann", "ann@cb1.example"))
    run(RecordNoticeMailed(sent, "ann@cb1.example"))
    run(MarkNoticeRead(sent, "ann"))


def _stream(services):
    """A data source with anchored readings, its monitor, and an alarm raised and cleared."""
    run = system_bus(services)
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    variables = [{"name": "temp", "unit": "degC", "upper": 80}, {"name": "load", "unit": "%"}]
    run(RegisterDevice("line1", "c1", "line", variables, "Line 1"))
    readings = [
        {
            "seq": i,
            "time": (at + timedelta(seconds=i)).isoformat(),
            "values": {"temp": 50.0 + (i * 7) % 11, "load": 60.0 + (i * 5) % 13},
        }
        for i in range(60)
    ]
    doc = {"device": "line1", "units": {"temp": "degC", "load": "%"}, "readings": readings}
    message = Message("qcert/v1/c1/line1/readings", json.dumps(doc).encode(), at)
    services.intake.take([message])
    services.intake.anchor_due(at + timedelta(minutes=6))  # 08:01 plus the idle allowance
    fit = FitMonitor("line1", "pca", at, at + timedelta(minutes=1), {"n_components": 1})
    digest = services.bus.handle(fit, SYSTEM).reply["digest"]
    top = [{"variable": "temp", "contribution": 4.5, "share": 0.9}]
    run(RaiseStreamAlarm("line1", 70, at, 68, "spe", {"spe": 9.0}, {"spe": 4.0}, top, [],
                         digest, at, "0" * 64, 1))  # fmt: skip
    run(ClearStreamAlarm("line1", 75, at, 70, at, "0" * 64, 1))


def _hub(services):
    """One of each of the hub's aggregates: an enrolled body that reported, a register, a
    campaign drawn and answered, a warning moved on, a scan."""
    run = system_bus(services)
    origin = services.ledger.origin_of(SHA256)
    vkey = "\n".join(v.vkey() for v in services.ledger.verifiers())
    key = Ed25519PrivateKey.generate()
    run(hub.EnrolBody("hb", "机构", "Body", "110108", origin, vkey, "k1",
                      multibase_public_key(key.public_key())))  # fmt: skip
    records = [_application()]
    signed = sign(envelope("hb", "2026-03-01T00:00:00Z", records), key, "k1")
    run(hub.SubmitReport(Envelope.model_validate(signed)))
    run(
        hub.ImportRegistry(
            "auditors", [{"registration_id": "R1", "name": "张三", "registered": True}]
        )
    )
    seed = new_seed()
    doc = json.loads(canonical_inputs(draw_inputs()))
    run(hub.CommitDraw("d1", "抽查", "Checks", "320000", commitment(seed), doc))
    run(hub.RevealDraw("d1", seed))
    with services.engine.connect() as conn:
        drawn = hub_views.draw_row(conn, "d1")["selections"][0]["target"]
    run(hub.RecordInspectionResult("d1", drawn, "compliant", date(2026, 3, 2)))
    warning = {"indicator": "checkin-far", "entity_kind": "audit", "entity_id": "1",
               "body_id": "hb", "org_id": "", "region": "110108", "value": 9.0,
               "threshold": 5.0, "evidence": ["1"], "day": "2026-02-01"}  # fmt: skip
    run(hub.RaiseWarnings([warning]))
    run(hub.ChangeWarning(warning_id("checkin-far", "audit", "1"), "acknowledged", "seen"))
    run(hub.RecordScan(date(2026, 3, 2), {"checkin-far": 1}, [], {"low": 1}, []))
    # a data source of c1 whose key was rotated and one of whose windows is anchored
    run(RegisterDevice("oven", "c1", "sensor", [{"name": "t", "unit": "degC", "upper": 9}]))
    at = datetime(2026, 3, 1, tzinfo=UTC)
    sent = (
        b'{"device":"oven","units":{"t":"degC"},"seq":0,"time":"2026-03-01T00:00:00Z",'
        b'"values":{"t":1}}'
    )
    services.intake.take([Message("qcert/v1/c1/oven/x", sent, at)])
    assert services.intake.anchor_due(datetime(2026, 3, 2, tzinfo=UTC)) == 1
    run(RotateDeviceKey("oven", "A" * 43 + "=", True))


def _application():
    return {
        "kind": "application",
        "id": "a1",
        "occurred_at": "2026-02-01T09:00:00+08:00",
        "certification_id": "h1",
        "organisation": {"uscc": "91110108551385082Q", "name": "公司", "region": "110108"},
        "scheme_id": "iso9001",
        "received_on": "2026-02-01",
    }


def _histories(engine):
    e = t.events.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(e.aggregate, e.document).order_by(e.aggregate, e.seq))
        out: dict[str, list] = {}
        for key, document in rows:
            out.setdefault(key, []).append(_event(document))
    return out


def _event(document):
    from qcert.lifecycle import events as ev

    return ev.decode(json.loads(document)).event


def _replay(engine, key):
    kind, id_ = key.split(":", 1)
    return KINDS[kind].replay(id_, _histories(engine)[key])


def test_every_kind_of_aggregate_snapshots_to_exactly_its_replay(rich, engine):
    histories = _histories(engine)
    assert {key.split(":", 1)[0] for key in histories} == set(KINDS)
    for key, history in histories.items():
        kind, id_ = key.split(":", 1)
        agg = KINDS[kind].replay(id_, history)
        text = snapshots.encode(agg)
        again = snapshots.decode(KINDS[kind], id_, text)
        assert vars(again) == vars(agg), key
        assert snapshots.encode(again) == text, key  # one state, one text
    assert check_projections(engine) == []


def _grow(world, cid="cert1", n=EVERY + 5):  # noqa: F811
    """``n`` more events on ``cid``: an auditor checking in and out."""
    for i in range(n):
        world(CheckIn(cid, "s2", "aud1", 39.96, 116.3, out=bool(i % 2)))


def _snapshot(engine, key="certification:cert1"):
    s = t.snapshots.c
    with engine.connect() as conn:
        return conn.execute(sa.select(s.seq, s.state).where(s.aggregate == key)).first()


def test_a_load_from_a_snapshot_equals_the_replay_of_every_event(world, engine):  # noqa: F811
    certify(world)
    assert _snapshot(engine) is None  # 9 events: none due yet
    _grow(world)
    seq, _ = _snapshot(engine)
    assert EVERY <= seq < EVERY + 14
    with UnitOfWork(engine) as uow:
        loaded = uow.get(Certification, "cert1")
    assert loaded.version == 9 + EVERY + 5
    assert vars(loaded) == vars(_replay(engine, "certification:cert1"))
    assert check_projections(engine) == []


def test_kept_copies_follow_what_other_processes_commit(world, engine, services):  # noqa: F811
    certify(world)
    other = MessageBus(engine)  # another process's bus, with a cache of its own
    mine = system_bus(services)

    def theirs(cmd):
        return other.handle(cmd, SYSTEM)

    for i in range(3):
        mine(CheckIn("cert1", "s2", "aud1", 39.96, 116.3, out=bool(i % 2)))
        theirs(RaiseFinding("cert1", f"f{i}", "s2", "minor", "8.5", "gap", "aud1"))
    mine(AnswerFinding("cert1", "f2", "fixed", "cause", "action"))  # needs their finding
    kept = services.bus.cache.take("certification:cert1")
    assert vars(kept.loaded.agg) == vars(_replay(engine, "certification:cert1"))
    assert check_projections(engine) == []


def test_a_state_is_recorded_as_its_replay_gives_it_so_it_is_kept(world, engine, services):  # noqa: F811
    run = system_bus(services)
    run(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    run(ReviewContract("x", "rev1"))  # computes 5.0 audit days; recorded, as replayed, as 5
    kept = services.bus.cache.take("certification:x")
    assert kept is not None
    assert type(kept.loaded.agg.contract.initial_days) is int
    assert snapshots.encode(kept.loaded.agg) == snapshots.encode(_replay(engine, "certification:x"))
    assert check_projections(engine) == []


def test_a_state_unlike_its_replay_is_neither_kept_nor_snapshotted(
    world,  # noqa: F811
    engine,
    services,
    monkeypatch,
):
    run = system_bus(services)
    run(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    assert services.bus.cache.take("certification:x") is not None
    # An event folded as given, not as read back (5.0 audit days where a replay folds 5):
    # the unit of work sees that the state is not the replay's.
    monkeypatch.setattr(ev, "read_back_event", lambda event: event)
    run(ReviewContract("x", "rev1"))
    assert services.bus.cache.take("certification:x") is None
    monkeypatch.undo()
    certify(run, "y")  # kept between commands from then on, and snapshotted from that copy
    _grow(run, "y")
    assert _snapshot(engine, "certification:y") is not None
    assert check_projections(engine) == []


def test_the_audit_names_a_snapshot_that_differs_from_its_events(world, engine):  # noqa: F811
    certify(world)
    _grow(world)
    seq, state = _snapshot(engine)
    assert '"aud1"' in state
    with engine.begin() as conn:
        conn.execute(t.snapshots.update().values(state=state.replace('"aud1"', '"aud9"')))
    assert check_projections(engine) == [
        f"lc_snapshots: the snapshot of certification:cert1 at event {seq} differs from its events"
    ]


def test_a_snapshot_past_its_events_is_refused_and_reported(world, engine):  # noqa: F811
    certify(world)
    _grow(world)
    with engine.begin() as conn:
        conn.execute(t.snapshots.update().values(seq=1000))
    with pytest.raises(SnapshotMismatch, match="stands at event 1000"), UnitOfWork(engine) as uow:
        uow.get(Certification, "cert1")
    assert check_projections(engine) == [
        "lc_snapshots: the snapshot of certification:cert1 stands at event 1000, "
        "which certification:cert1 does not have"
    ]


def test_a_snapshot_of_another_shape_is_passed_over_for_the_events(world, engine):  # noqa: F811
    certify(world)
    _grow(world)
    _, state = _snapshot(engine)
    with engine.begin() as conn:  # as if written before Certification had ``cycle``
        conn.execute(t.snapshots.update().values(state=state.replace('"cycle"', '"cycles"')))
    with UnitOfWork(engine) as uow:
        loaded = uow.get(Certification, "cert1")
    assert vars(loaded) == vars(_replay(engine, "certification:cert1"))
    world(CheckIn("cert1", "s2", "aud1", 39.96, 116.3))  # a snapshot is due: written afresh
    _grow(world, n=EVERY)
    assert check_projections(engine) == []


def test_a_stale_projection_row_is_rewritten_from_the_state(world, engine):  # noqa: F811
    certify(world)
    world(RaiseFinding("cert1", "f1", "s2", "minor", "8.5", "gap", "aud1"))
    with engine.begin() as conn:  # a row lost: the next change of it cannot update it
        conn.execute(t.findings.delete())
    world(AnswerFinding("cert1", "f1", "fixed", "cause", "action"))
    assert check_projections(engine) == []


def test_two_units_of_work_on_one_aggregate_do_not_both_commit(world, engine):  # noqa: F811
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: the second waits for the first to commit")
    from qcert.store.uow import ConcurrentChange

    certify(world)
    first, second = UnitOfWork(engine), UnitOfWork(engine)
    with first, second:
        first.get(Certification, "cert1").suspend("overdue", date(2023, 6, 1))
        second.get(Certification, "cert1").withdraw("fraud", date(2023, 6, 1))
        first.commit()
        with pytest.raises(ConcurrentChange):
            second.commit()
    assert _replay(engine, "certification:cert1").certificate.status == "suspended"
    assert check_projections(engine) == []


def test_a_state_the_codec_cannot_take_leaves_no_snapshot_and_refuses_nothing(
    world,  # noqa: F811
    engine,
    monkeypatch,
):
    def refuse(agg):
        raise snapshots.SnapshotError(f"cannot snapshot {agg.key}")

    monkeypatch.setattr(snapshots, "encode", refuse)
    certify(world)
    _grow(world)
    assert _snapshot(engine) is None
    monkeypatch.undo()
    assert check_projections(engine) == []
