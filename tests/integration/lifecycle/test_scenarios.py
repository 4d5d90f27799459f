"""Whole certifications through the bus on SQLite and PostgreSQL, checked against a replay."""

from datetime import date

import sqlalchemy as sa

from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    CheckIn,
    CloseFinding,
    CompleteAudit,
    Decide,
    EnforceClocks,
    OpenCase,
    PlanAudit,
    RaiseFinding,
    ResolveCase,
    RestoreCertificate,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
    TransferCertificate,
    WithdrawCertificate,
)
from qcert.store import tables as t
from qcert.store.replay import check_projections

from .conftest import TEAM, certify


def _cert(engine, cid="cert1"):
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(t.certificates).where(t.certificates.c.certification_id == cid))
            .mappings()
            .one()
        )


def _history(engine, cid="cert1"):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.certificate_history.c.event, t.certificate_history.c.on)
            .where(t.certificate_history.c.certification_id == cid)
            .order_by(t.certificate_history.c.ledger_index)
        )
        return [tuple(r) for r in rows]


def test_initial_audit_two_surveillances_and_recertification(world, engine):
    bus = world
    bus(ApplyForCertification("cert1", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    bus(ReviewContract("cert1", "rev1"))
    bus(
        PlanAudit(
            "cert1", "s1", "stage1", TEAM, "FS01", date(2023, 2, 6), date(2023, 2, 6), 1.5, ["hq"]
        )
    )
    bus(CheckIn("cert1", "s1", "lead1", 39.96, 116.30))
    bus(CheckIn("cert1", "s1", "lead1", 39.96, 116.30, out=True))
    bus(CompleteAudit("cert1", "s1", 1.5, date(2023, 2, 6)))
    bus(
        PlanAudit(
            "cert1",
            "s2",
            "stage2",
            TEAM,
            "FS03",
            date(2023, 3, 1),
            date(2023, 3, 3),
            3.5,
            ["hq", "plant"],
        )
    )
    bus(RaiseFinding("cert1", "nc1", "s2", "major", "8.5", "no traceability for lot 42", "aud1"))
    bus(
        RaiseFinding("cert1", "obs1", "s2", "observation", "7.2", "training plan informal", "lead1")
    )
    # A combined audit (FS03) says how many of its days were on site: 3 of 3.5, over the 80%.
    bus(CompleteAudit("cert1", "s2", 3.5, date(2023, 3, 3), on_site_days=3))
    bus(AnswerFinding("cert1", "nc1", "lot 42 traced", "no rule for labels", "labelling procedure"))
    bus(CloseFinding("cert1", "nc1", "lead1", date(2023, 4, 10)))
    bus(TechnicalReview("cert1", "rev1", "grant"))
    bus(Decide("cert1", "dec1", "grant", date(2023, 4, 20), "00123Q0001", "精密零件生产"))
    cert = _cert(engine)
    assert (cert["status"], cert["certsearch_status"]) == ("active", "Active")
    assert (cert["issue_date"], cert["expiry_date"]) == ("2023-04-20", "2026-04-19")

    bus(
        PlanAudit(
            "cert1",
            "sv1",
            "surveillance",
            TEAM,
            "FS01",
            date(2024, 3, 5),
            date(2024, 3, 5),
            1.5,
            ["hq", "plant"],
        )
    )
    bus(CompleteAudit("cert1", "sv1", 1.5, date(2024, 3, 5)))
    bus(
        PlanAudit(
            "cert1",
            "sv2",
            "surveillance",
            TEAM,
            "FS03",
            date(2025, 3, 4),
            date(2025, 3, 4),
            1.5,
            ["hq", "plant"],
        )
    )
    # Partly remote: the surveillance stage is held on site, at least 80% of its days.
    bus(CompleteAudit("cert1", "sv2", 1.5, date(2025, 3, 4), on_site_days=1.2))
    bus(
        PlanAudit(
            "cert1",
            "rc",
            "recertification",
            TEAM,
            "FS01",
            date(2026, 2, 2),
            date(2026, 2, 3),
            3.5,
            ["hq", "plant"],
        )
    )
    bus(CompleteAudit("cert1", "rc", 3.5, date(2026, 2, 3)))
    bus(TechnicalReview("cert1", "rev1", "renew"))
    bus(Decide("cert1", "dec2", "renew", date(2026, 3, 10)))
    cert = _cert(engine)
    assert (cert["original_issue_date"], cert["expiry_date"]) == ("2023-04-20", "2029-04-19")
    assert [e for e, _ in _history(engine)] == ["certificate.issued", "certificate.issued"]
    assert check_projections(engine) == []


def test_suspension_not_resolved_ends_in_withdrawal(world, engine):
    certify(world)
    world(SuspendCertificate("cert1", "surveillance overdue", date(2024, 3, 10), months=6))
    assert _cert(engine)["deadline"] == "2024-09-10"
    world(EnforceClocks(["cert1"], date(2024, 9, 10)))  # the deadline day itself: still suspended
    assert _cert(engine)["status"] == "suspended"
    world(EnforceClocks(["cert1"], date(2024, 9, 11)))
    cert = _cert(engine)
    assert (cert["status"], cert["certsearch_status"]) == ("withdrawn", "Withdrawn")
    assert [e for e, _ in _history(engine)] == [
        "certificate.issued",
        "certificate.suspended",
        "certificate.withdrawn",
    ]
    assert check_projections(engine) == []


def test_suspension_lifted_then_transfer(world, engine):
    certify(world)
    world(SuspendCertificate("cert1", "misuse of the mark", date(2024, 1, 5), months=3))
    world(RestoreCertificate("cert1", date(2024, 2, 1)))
    world(TransferCertificate("cert1", "cb2", date(2024, 5, 1)))
    cert = _cert(engine)
    assert (cert["status"], cert["transferred_to"]) == ("withdrawn", "cb2")
    assert check_projections(engine) == []


def test_appeal_handled_by_someone_independent(world, engine):
    certify(world)
    world(OpenCase("ap1", "appeal", "cert1", "handler1", "the client appeals finding nc1"))
    world(ResolveCase("ap1", "appeal upheld in part", date(2024, 1, 20)))
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.cases)).mappings().one()
    assert (row["kind"], row["handler"], row["resolved"]) == ("appeal", "handler1", True)
    assert (row["summary"], row["outcome"], row["resolved_on"]) == (
        "the client appeals finding nc1",
        "appeal upheld in part",
        "2024-01-20",
    )
    assert check_projections(engine) == []
    # A store from before the cases kept these is refilled from the events.
    from qcert.store import migrate

    migrate(engine, "0015")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.cases)).mappings().one() == row
    assert check_projections(engine) == []


def test_every_event_is_a_ledger_leaf_and_the_ledger_audits_clean(world, engine):
    from qcert.ledger import Ledger, generate_ed25519
    from qcert.ledger.storage import SqlLedgerStorage

    certify(world)
    storage = SqlLedgerStorage(engine)
    with engine.connect() as conn:
        indexed = conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar()
    assert indexed == storage.size()
    ledger = Ledger(storage, "t.local/l", [generate_ed25519("t.local/l")])
    ledger.checkpoint()
    assert ledger.audit().ok


def test_a_projection_row_edited_behind_the_ledger_is_reported(world, engine):
    certify(world)
    with engine.begin() as conn:
        conn.execute(t.certificates.update().values(status="active", expiry_date="2099-01-01"))
    problems = check_projections(engine)
    assert any("lc_certificates: row not explained by the ledger" in p for p in problems)
    assert any("2099-01-01" in p for p in problems)


def test_the_audit_programme_shows_what_is_due_and_done(world, engine):
    certify(world, on=date(2023, 3, 1))  # certificate valid to 2026-02-28
    world(
        PlanAudit(
            "cert1",
            "sv1",
            "surveillance",
            TEAM,
            "FS01",
            date(2024, 2, 10),
            date(2024, 2, 10),
            1.5,
            ["hq", "plant"],
        )
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.programme.c.item, t.programme.c.due_by, t.programme.c.done_on).order_by(
                t.programme.c.due_by
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("surveillance-2024", "2024-03-01", "2024-02-10"),
        ("surveillance-2025", "2025-12-31", None),
        ("recertification", "2026-02-28", None),
    ]
    world(WithdrawCertificate("cert1", "client request", date(2024, 6, 1)))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.programme)).scalar() == 0
    assert check_projections(engine) == []


def test_a_transfer_is_accepted_by_another_body_keeping_the_cycle(world, engine):
    from qcert.lifecycle import AcceptTransfer, RegisterAuditor

    certify(world, on=date(2023, 3, 1))
    world(RegisterAuditor("rev2", "R-rev2", "评审", "cb2"))
    world(AcceptTransfer("cert1-cb2", "cb2", "cert1", "rev2", "dec2", date(2024, 5, 2), "CB2-0001"))
    old, new = _cert(engine), _cert(engine, "cert1-cb2")
    assert (old["status"], old["transferred_to"]) == ("withdrawn", "cb2")
    assert (new["status"], new["body_id"], new["number"]) == ("active", "cb2", "CB2-0001")
    assert (new["original_issue_date"], new["expiry_date"]) == (
        old["original_issue_date"],
        old["expiry_date"],
    )
    assert check_projections(engine) == []


def test_a_suspended_certificate_is_not_accepted_for_transfer(world):
    import pytest

    from qcert.lifecycle import AcceptTransfer
    from qcert.schemes import RuleViolation

    certify(world)
    world(SuspendCertificate("cert1", "r", date(2024, 1, 1)))
    with pytest.raises(RuleViolation) as err:
        world(AcceptTransfer("n", "cb2", "cert1", "rev2", "dec2", date(2024, 2, 1), "N"))
    assert err.value.rule == "transfer.suspended"


def test_a_certificate_states_the_scope_of_each_site(world, engine):
    import json

    from qcert.lifecycle import ApplyForCertification, ReviewContract

    world(ApplyForCertification("p", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    world(ReviewContract("p", "rev1"))
    day = date(2023, 3, 1)
    world(PlanAudit("p", "s1", "stage1", TEAM, "FS02", day, day, 1.5, ["hq"]))
    world(CompleteAudit("p", "s1", 1.5, day))
    world(PlanAudit("p", "s2", "stage2", TEAM, "FS01", day, day, 3.5, ["hq", "plant"]))
    world(CompleteAudit("p", "s2", 3.5, day))
    world(TechnicalReview("p", "rev1", "grant"))
    world(
        Decide(
            "p",
            "dec1",
            "grant",
            day,
            "N-P",
            "设计和生产 / design and production",
            site_scopes={"plant": "生产 / production"},
        )
    )
    sites = json.loads(_cert(engine, "p")["sites"])
    assert sites == [
        {"site": "hq", "scope": "设计和生产 / design and production"},
        {"site": "plant", "scope": "生产 / production"},
    ]
    assert check_projections(engine) == []


def test_the_accepting_body_reviews_the_contract_and_audits_a_transferred_certification(
    world, engine
):
    from qcert.lifecycle import (
        AcceptTransfer,
        PlanAudit,
        QualifyAuditor,
        RegisterAuditor,
        ReviewContract,
    )
    from qcert.schemes import RuleViolation

    certify(world, on=date(2023, 3, 1))
    for person in ("rev2", "lead2"):
        world(RegisterAuditor(person, f"R-{person}", "审核员", "cb2"))
        world(QualifyAuditor(person, "iso9001", [17, 18]))
    world(AcceptTransfer("cert1-cb2", "cb2", "cert1", "rev2", "dec2", date(2024, 5, 2), "CB2-0001"))
    world(ReviewContract("cert1-cb2", "rev2"))
    team = [{"auditor": "lead2", "role": "lead"}]
    day = date(2024, 9, 2)
    world(PlanAudit("cert1-cb2", "sv", "surveillance", team, "FS01", day, day, 1.5, ["hq"]))
    with engine.connect() as conn:
        kinds = conn.execute(
            sa.select(t.audits.c.kind).where(t.audits.c.certification_id == "cert1-cb2")
        ).scalars()
        assert list(kinds) == ["surveillance"]
    import pytest

    with pytest.raises(RuleViolation):  # once the programme is planned, no second review
        world(ReviewContract("cert1-cb2", "rev2"))
    assert check_projections(engine) == []


def test_an_application_the_contract_review_could_not_price_is_refused_at_once(world, engine):
    import pytest

    from qcert.lifecycle import ApplyForCertification
    from qcert.schemes import RuleViolation

    with pytest.raises(RuleViolation) as err:
        world(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq"], "high"))
    assert err.value.rule == "md5.complexity" and "no complexity categories" in err.value.en
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.certifications)).scalar() == 0
