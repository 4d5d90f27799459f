"""One test per hard rule: the refusal, its rule id, source and message in both languages."""

from datetime import date, timedelta

import pytest

from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    CloseFinding,
    CompleteAudit,
    Decide,
    EnforceClocks,
    GrantBodyScope,
    OpenCase,
    PlanAudit,
    RaiseFinding,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
    TransferCertificate,
    WithdrawCertificate,
)
from qcert.schemes import RuleViolation

from .conftest import SITES, TEAM, certify


def refused(bus, cmd, rule: str, text: str, source: str | None = None) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        bus(cmd)
    assert err.value.rule == rule, err.value
    assert text in err.value.en, err.value.en
    assert err.value.zh and err.value.zh != err.value.en
    if source:
        assert err.value.source == source
    return err.value


def _through_stage2(bus, cid="x", stage2_end=date(2023, 3, 3), major=False):
    bus(ApplyForCertification(cid, "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    bus(ReviewContract(cid, "rev1"))
    bus(
        PlanAudit(
            cid, "s1", "stage1", TEAM, "FS01", date(2023, 2, 1), date(2023, 2, 1), 1.5, ["hq"]
        )
    )
    bus(CompleteAudit(cid, "s1", 1.5, date(2023, 2, 1)))
    bus(PlanAudit(cid, "s2", "stage2", TEAM, "FS01", stage2_end, stage2_end, 3.5, ["hq", "plant"]))
    if major:
        bus(RaiseFinding(cid, "nc1", "s2", "major", "8.5", "evidence", "aud1"))
    bus(CompleteAudit(cid, "s2", 3.5, stage2_end))


def test_decision_maker_cannot_have_audited_the_client(world):
    _through_stage2(world)
    world(TechnicalReview("x", "rev1", "grant"))
    refused(
        world,
        Decide("x", "aud1", "grant", date(2023, 4, 1), "N1", "scope"),
        "decision.independence",
        "aud1 took part",
        "ISO/IEC 17021-1:2015 9.5.1.2",
    )


def test_decision_maker_cannot_be_the_technical_reviewer(world):
    _through_stage2(world)
    world(TechnicalReview("x", "rev1", "grant"))
    refused(
        world,
        Decide("x", "rev1", "grant", date(2023, 4, 1), "N1", "scope"),
        "decision.independence",
        "rev1 took part",
    )


def test_technical_reviewer_cannot_have_audited(world):
    _through_stage2(world)
    refused(world, TechnicalReview("x", "lead1", "grant"), "review.independence", "lead1")


def test_complaint_handler_must_be_independent(world):
    certify(world)
    refused(
        world,
        OpenCase("k1", "complaint", "cert1", "dec1", "late certificate"),
        "case.independence",
        "dec1 was involved in the activities the complaint is about",
        "ISO/IEC 17021-1:2015 9.8.8",
    )


def test_first_surveillance_within_12_months_of_the_decision(world):
    certify(world, on=date(2023, 3, 1))
    refused(
        world,
        PlanAudit(
            "cert1",
            "sv1",
            "surveillance",
            TEAM,
            "FS01",
            date(2024, 3, 2),
            date(2024, 3, 2),
            1.5,
            ["hq", "plant"],
        ),
        "surveillance.first-12-months",
        "within 12 months of the decision (2024-03-01)",
        "ISO/IEC 17021-1:2015 9.6.2.2",
    )
    world(
        PlanAudit(
            "cert1",
            "sv1",
            "surveillance",
            TEAM,
            "FS01",
            date(2024, 3, 1),
            date(2024, 3, 1),
            1.5,
            ["hq", "plant"],
        )
    )


def test_at_least_one_surveillance_per_calendar_year(world):
    certify(world, on=date(2023, 1, 10))
    world(
        PlanAudit(
            "cert1",
            "sv1",
            "surveillance",
            TEAM,
            "FS01",
            date(2023, 12, 1),
            date(2023, 12, 1),
            1.5,
            ["hq", "plant"],
        )
    )
    refused(
        world,
        PlanAudit(
            "cert1",
            "sv2",
            "surveillance",
            TEAM,
            "FS01",
            date(2025, 1, 5),
            date(2025, 1, 5),
            1.5,
            ["hq", "plant"],
        ),
        "surveillance.calendar-year",
        "2024 would pass without a surveillance audit",
    )


def test_major_nonconformity_closed_within_six_months_of_stage2(world):
    _through_stage2(world, stage2_end=date(2023, 3, 3), major=True)
    world(AnswerFinding("x", "nc1", "fixed", "cause", "action"))
    refused(
        world,
        CloseFinding("x", "nc1", "lead1", date(2023, 9, 4)),
        "nc.major-six-months",
        "a new stage 2 is required",
        "ISO/IEC 17021-1:2015 9.5.3.2",
    )
    world(CloseFinding("x", "nc1", "lead1", date(2023, 9, 3)))


def test_no_grant_while_a_major_nonconformity_is_open(world):
    _through_stage2(world, major=True)
    world(TechnicalReview("x", "rev1", "grant"))
    refused(
        world,
        Decide("x", "dec1", "grant", date(2023, 4, 1), "N1", "s"),
        "decision.majors-open",
        "nc1",
    )


def test_recertification_after_expiry_only_within_six_months(world):
    certify(world, on=date(2020, 3, 1))  # expires 2023-02-28
    world(
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
    world(CompleteAudit("cert1", "rc", 3.5, date(2021, 2, 1)))
    world(TechnicalReview("cert1", "rev1", "renew"))
    refused(
        world,
        Decide("cert1", "dec2", "renew", date(2023, 9, 1)),
        "recertification.before-expiry",
        "restoration is possible only within 6 months",
        "ISO/IEC 17021-1:2015 9.6.3.2.5",
    )
    world(Decide("cert1", "dec2", "renew", date(2023, 8, 1)))


def test_suspension_clock_defaults_to_six_months_then_withdraws(world, engine):
    certify(world)
    world(SuspendCertificate("cert1", "no surveillance", date(2024, 1, 15)))
    world(EnforceClocks(["cert1"], date(2024, 7, 16)))
    from tests.integration.lifecycle.test_scenarios import _cert

    assert _cert(engine)["status"] == "withdrawn"


def test_suspended_certificate_cannot_be_transferred(world):
    certify(world)
    world(SuspendCertificate("cert1", "reason", date(2024, 1, 15)))
    refused(
        world,
        TransferCertificate("cert1", "cb2", date(2024, 2, 1)),
        "transfer.suspended",
        "is suspended and cannot be transferred",
        "IAF MD 2:2017 2.2",
    )


def test_planned_audit_time_may_not_go_below_the_contract_review(world):
    world(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq"]))
    world(ReviewContract("x", "rev1"))  # 55 persons: 5 days
    world(
        PlanAudit("x", "s1", "stage1", TEAM, "FS01", date(2023, 2, 1), date(2023, 2, 1), 1, ["hq"])
    )
    refused(
        world,
        PlanAudit("x", "s2", "stage2", TEAM, "FS01", date(2023, 3, 1), date(2023, 3, 1), 3, ["hq"]),
        "audit.time-minimum",
        "4 days is below the 5 days",
    )
    refused(
        world,
        PlanAudit(
            "x",
            "s2",
            "stage2",
            TEAM,
            "FS01",
            date(2023, 3, 1),
            date(2023, 3, 1),
            3,
            ["hq"],
            override={"reason": "", "approved_by": "dec1"},
        ),
        "override.reason",
        "a reason and the person",
    )
    why = {"reason": "remote document review done", "approved_by": "dec1"}
    day = date(2023, 3, 1)
    # 5 table days: an override can go to 0.56 x 5 = 2.8 days in all (1 + 1.5 is below it).
    refused(
        world,
        PlanAudit("x", "s2", "stage2", TEAM, "FS01", day, day, 1.5, ["hq"], override=why),
        "audit.time-minimum",
        "2.5 days is below",
    )
    world(PlanAudit("x", "s2", "stage2", TEAM, "FS01", day, day, 3, ["hq"], override=why))


def test_contract_review_refuses_reductions_past_the_md5_cap(world):
    world(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq"]))
    refused(
        world,
        ReviewContract("x", "rev1", reduction_pct=35),
        "md5.reduction-cap",
        "35% exceeds the 30% cap",
        "IAF MD 5:2019 3.9",
    )


def test_auditors_must_be_qualified_for_scheme_and_sector(world):
    world(ApplyForCertification("x", "cb1", "c1", "iso9001", [19], ["hq"]))
    world(ReviewContract("x", "rev1"))
    refused(
        world,
        PlanAudit(
            "x", "s1", "stage1", TEAM, "FS01", date(2023, 2, 1), date(2023, 2, 1), 1.5, ["hq"]
        ),
        "auditor.qualified",
        "lead1 is not qualified for urn:qcert:scheme:iso9001:2015 sector(s) 19",
        "ISO/IEC 17021-1:2015 7.2.4",
    )


def test_body_certifies_only_inside_its_approved_scope_on_the_issue_date(world, clock):
    # Approved until 30 June: it may take the application and review the contract in June,
    # not decide after its approval ends.
    end = date(2024, 6, 30)
    world(RegisterBody("cb3", "CNCA-R-2024-003", "新机构", "New Body", "CNAS C999-M"))
    world(GrantBodyScope("cb3", "iso9001", [17], date(2024, 1, 1), end))
    world(RegisterAuditor("l3", "R3", "组长", "cb3"))
    from qcert.lifecycle import QualifyAuditor

    world(QualifyAuditor("l3", "iso9001", [17]))
    team = [{"auditor": "l3", "role": "lead"}]
    clock.to_day(date(2024, 6, 1))
    world(ApplyForCertification("y", "cb3", "c1", "iso9001", [17], ["hq"]))
    world(ReviewContract("y", "rev1"))
    day = date(2024, 6, 10)
    world(PlanAudit("y", "s1", "stage1", team, "FS01", day, day, 1.5, ["hq"]))
    world(CompleteAudit("y", "s1", 1.5, day))
    world(PlanAudit("y", "s2", "stage2", team, "FS01", day, day, 3.5, ["hq"]))
    world(CompleteAudit("y", "s2", 3.5, day))
    world(TechnicalReview("y", "rev1", "grant"))
    late = end + timedelta(days=5)
    refused(
        world,
        Decide("y", "dec1", "grant", late, "N3", "scope"),
        "body.scope",
        f"cb3 is not approved for urn:qcert:scheme:iso9001:2015 sector(s) 17 on {late}",
    )
    world(Decide("y", "dec1", "grant", end, "N3", "scope"))


def test_clients_need_a_valid_unified_social_credit_code(world):
    refused(
        world,
        RegisterClient(
            "c9", "91110108551385082A", "某公司", "Some Co", "地址", "110108", 10, SITES
        ),
        "uscc.check",
        "check character is 'A', GB 32100 gives 'Q'",
        "GB 32100-2015 4.3",
    )
    refused(
        world,
        RegisterClient(
            "c9", "91110108551385082Q", "某公司", "Some Co", "地址", "790108", 10, SITES
        ),
        "adcode.format",
        "adcode: province part 79",
    )


def test_findings_must_name_a_clause_of_the_scheme(world):
    _through_stage2(world)
    refused(
        world,
        RaiseFinding("x", "f9", "s2", "minor", "4.9.9", "evidence", "aud1"),
        "finding.clause",
        "4.9.9 is not a clause of urn:qcert:scheme:iso9001:2015",
    )


def test_failed_commands_leave_nothing_behind(world, engine):
    from qcert.ledger.storage import SqlLedgerStorage

    before = SqlLedgerStorage(engine).size()
    with pytest.raises(RuleViolation):
        world(ApplyForCertification("z", "cb1", "c1", "iso9001", [17], ["nowhere"]))
    assert SqlLedgerStorage(engine).size() == before


def test_a_credit_code_is_registered_once(world):
    from qcert.store.uow import ConcurrentChange

    with pytest.raises(
        ConcurrentChange, match="uscc: a client with this unified social credit code"
    ):
        world(
            RegisterClient(
                "c2", "91110108551385082Q", "又一家", "Again", "北京", "110108", 5, SITES
            )
        )


def test_a_certificate_number_is_issued_once(world):
    from qcert.store.uow import ConcurrentChange

    certify(world, "a", number="SAME-1")
    world(WithdrawCertificate("a", "the client ended its contract", date(2023, 6, 1)))
    with pytest.raises(ConcurrentChange, match="certificate number"):
        certify(world, "b", on=date(2023, 7, 1), number="SAME-1")


def _multi_site_client(world):
    sites = [{**SITES[0], "id": "centre"}] + [
        {**SITES[1], "id": f"site{i}", "central": False} for i in range(1, 10)
    ]
    world(
        RegisterClient(
            "m1", "91440300708461136T", "多场所公司", "Multi-site Co", "深圳", "440305", 300, sites
        )
    )
    world(ApplyForCertification("m", "cb1", "m1", "iso9001", [17], [s["id"] for s in sites]))
    world(ReviewContract("m", "rev1"))  # 9 sites besides the centre: samples 3 / 2 / 3


def test_multi_site_audits_visit_the_central_function_and_the_md1_sample(world):
    _multi_site_client(world)
    day = date(2023, 3, 1)

    def plan(sites):
        return PlanAudit("m", "s2", "stage2", TEAM, "FS01", day, day, 10, sites)

    refused(
        world,
        plan(["site1", "site2", "site3"]),
        "md1.sample",
        "at least 3 site(s) besides the central function (and the central function centre)",
        "IAF MD 1:2018 6.1.3.3",
    )
    refused(world, plan(["centre", "site1"]), "md1.sample", "at least 3 site(s)")


def test_a_quarter_of_the_sample_is_drawn_at_random_reproducibly(world, engine):
    import json

    import sqlalchemy as sa

    from qcert.schemes import random_sites
    from qcert.store import tables as t

    _multi_site_client(world)
    others = [f"site{i}" for i in range(1, 10)]
    drawn = random_sites(others, 3, "m", 0, "stage2", 0)
    assert len(drawn) == 1  # ceil(25% of 3)
    avoid = [s for s in others if s not in drawn][:3]
    day = date(2023, 3, 1)
    err = refused(
        world,
        PlanAudit("m", "s2", "stage2", TEAM, "FS01", day, day, 10, ["centre", *avoid]),
        "md1.random",
        f"include {drawn[0]}",
        "IAF MD 1:2018 6.1",
    )
    assert drawn[0] in err.zh
    world(
        PlanAudit("m", "s2", "stage2", TEAM, "FS01", day, day, 10, ["centre", *avoid[:2], *drawn])
    )
    with engine.connect() as conn:
        doc = conn.execute(
            sa.select(t.events.c.document).where(t.events.c.type == "certification.audit-planned")
        ).scalar()
    assert json.loads(doc)["data"]["random_sites"] == drawn


def test_sampled_sites_are_reduced_at_most_half_and_audits_cover_their_time(world):
    from qcert.schemes import audit_time, md5_table

    sites = [{**SITES[0], "id": "centre", "personnel": 40}] + [
        {**SITES[1], "id": f"site{i}", "central": False, "personnel": 20} for i in (1, 2)
    ]
    world(
        RegisterClient(
            "m2", "91440300708461136T", "多场所公司", "Multi-site Co", "深圳", "440305", 80, sites
        )
    )
    world(ApplyForCertification("m", "cb1", "m2", "iso9001", [17], ["centre", "site1", "site2"]))
    refused(
        world,
        ReviewContract("m", "rev1", site_reduction_pct=55),
        "md1.site-cap",
        "55% exceeds the 50% cap",
        "IAF MD 1:2018 7.3.1",
    )
    world(ReviewContract("m", "rev1", site_reduction_pct=40))
    qms = md5_table("qms")
    centre = audit_time(qms, 40, reduction_pct=40, per_site=True).initial_days  # 4 -> 2.5
    site = audit_time(qms, 20, reduction_pct=40, per_site=True).initial_days  # 3 -> 2
    day = date(2023, 3, 1)
    sample = ["centre", "site1", "site2"]  # x = 2: initial sample ceil(sqrt 2) = 2
    short = centre + 2 * site - 0.5
    refused(
        world,
        PlanAudit("m", "s2", "stage2", TEAM, "FS01", day, day, short, sample),
        "audit.time-minimum",
        f"below the {centre + 2 * site:g} days",
    )
    world(PlanAudit("m", "s2", "stage2", TEAM, "FS01", day, day, centre + 2 * site, sample))
