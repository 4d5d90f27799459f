"""The rules the scheme file drives, each refused with its rule id, source and both languages and
then accepted in its twin: the stages a decision rests on, the scheme's decision rules, the audit
time actually spent and spent on site, the body's scope from the application on, and one live
certificate per scheme and body."""

from datetime import UTC, date, datetime, timedelta

import pytest

from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    CloseFinding,
    CompleteAudit,
    Decide,
    GrantBodyScope,
    PlanAudit,
    QualifyAuditor,
    RaiseFinding,
    RecordTest,
    RegisterBody,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
    WithdrawCertificate,
    handle,
)
from qcert.schemes import RuleViolation
from qcert.store.uow import UnitOfWork

from .conftest import TEAM, certify

MS_STAGES = "ISO/IEC 17021-1:2015 9.3.1.1, 9.5.2, 9.6.3"
MD5_ON_SITE = "IAF MD 5:2019 4.1 (on-site time not less than 80% of the audit time)"
DAY = date(2023, 3, 1)


def refused(bus, cmd, rule: str, text: str, source: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        bus(cmd)
    assert (err.value.rule, err.value.source) == (rule, source), err.value
    assert text in err.value.en, err.value.en
    assert err.value.zh and err.value.zh != err.value.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.zh), err.value.zh
    return err.value


def _stage1(bus, cid="x", sites=("hq",)):
    bus(ApplyForCertification(cid, "cb1", "c1", "iso9001", [17], list(sites)))
    bus(ReviewContract(cid, "rev1"))
    bus(PlanAudit(cid, "s1", "stage1", TEAM, "FS02", DAY, DAY, 1.5, ["hq"]))
    bus(CompleteAudit(cid, "s1", 1.5, DAY))


def _product(bus, cid="p"):
    """An application under the generic product scheme (ISO/IEC 17065), contract reviewed."""
    bus(GrantBodyScope("cb1", "product", [17], date(2020, 1, 1)))
    for person in ("lead1", "aud1"):
        bus(QualifyAuditor(person, "product", [17]))
    bus(ApplyForCertification(cid, "cb1", "c1", "product", [17], ["hq"]))
    bus(ReviewContract(cid, "rev1"))


def _type_test(cid: str, test_id: str, result: str, on: date = DAY) -> RecordTest:
    lab = "国家电器产品质量检验检测中心"
    return RecordTest(cid, test_id, "type-test", lab, f"R-{test_id}", result, on)


def _inspection(bus, cid="p", on: date = DAY):
    bus(PlanAudit(cid, "fi", "factory-inspection", TEAM, "FS01", on, on, 2, ["hq"]))
    bus(CompleteAudit(cid, "fi", 2, on))


# .. the stages a decision rests on ..........................................


def test_a_grant_after_stage_1_only_is_refused(world):
    _stage1(world)
    world(TechnicalReview("x", "rev1", "grant"))
    refused(
        world,
        Decide("x", "dec1", "grant", DAY, "N1", "scope"),
        "decision.stages",
        "not done in this cycle: stage2",
        MS_STAGES,
    )
    world(PlanAudit("x", "s2", "stage2", TEAM, "FS01", DAY, DAY, 3.5, ["hq"]))
    world(CompleteAudit("x", "s2", 3.5, DAY))
    world(Decide("x", "dec1", "grant", DAY, "N1", "scope"))


def test_a_product_grant_rests_on_a_passed_type_test_and_the_factory_inspection(world):
    _product(world)
    _inspection(world)
    world(TechnicalReview("p", "rev1", "grant"))
    grant = Decide("p", "dec1", "grant", DAY, "P-1", "低压开关柜")
    refused(
        world,
        grant,
        "decision.stages",
        "not done in this cycle: type-test",
        "ISO/IEC 17065:2012 7.4, 7.6; ISO/IEC 17067:2013 5.3 type 5",
    )
    world(_type_test("p", "t1", "fail"))
    refused(
        world,
        grant,
        "decision.type-test-passed",
        "Every type-test item passed (type-test report R-t1 of 2023-03-01 concludes fail)",
        "ISO/IEC 17065:2012 7.4",
    )
    world(_type_test("p", "t2", "pass"))
    world(grant)


def test_a_product_grant_waits_for_the_factory_inspections_nonconformities(world):
    _product(world)
    world(_type_test("p", "t1", "pass"))
    world(PlanAudit("p", "fi", "factory-inspection", TEAM, "FS01", DAY, DAY, 2, ["hq"]))
    world(RaiseFinding("p", "nc1", "fi", "minor", "F1.2", "routine tests unrecorded", "aud1"))
    world(CompleteAudit("p", "fi", 2, DAY))
    world(TechnicalReview("p", "rev1", "grant"))
    grant = Decide("p", "dec1", "grant", DAY + timedelta(days=20), "P-1", "低压开关柜")
    world(AnswerFinding("p", "nc1", "records kept", "no form", "form added"))
    refused(world, grant, "decision.inspection-passed", "not closed: nc1", "ISO/IEC 17065:2012 7.6")
    world(CloseFinding("p", "nc1", "lead1", DAY + timedelta(days=15)))
    world(grant)


def test_minor_nonconformities_need_the_clients_corrective_action_plan(world):
    _stage1(world)
    world(PlanAudit("x", "s2", "stage2", TEAM, "FS01", DAY, DAY, 3.5, ["hq"]))
    world(RaiseFinding("x", "nc1", "s2", "minor", "7.5", "records unsigned", "aud1"))
    world(CompleteAudit("x", "s2", 3.5, DAY))
    world(TechnicalReview("x", "rev1", "grant"))
    grant = Decide("x", "dec1", "grant", DAY, "N1", "scope")
    refused(
        world,
        grant,
        "decision.minors-planned",
        "no correction and corrective action plan for nc1",
        "ISO/IEC 17021-1:2015 9.5.3.2",
    )
    world(AnswerFinding("x", "nc1", "signed", "no rule", "rule added"))
    world(grant)


def test_a_decision_is_not_dated_before_the_audits_it_rests_on_end(world):
    _stage1(world)
    end = DAY + timedelta(days=2)
    world(PlanAudit("x", "s2", "stage2", TEAM, "FS01", DAY, end, 3.5, ["hq"]))
    world(CompleteAudit("x", "s2", 3.5, end))
    world(TechnicalReview("x", "rev1", "grant"))
    refused(
        world,
        Decide("x", "dec1", "grant", end - timedelta(days=1), "N1", "scope"),
        "decision.date",
        "the decision (2023-03-02) cannot come before audit s2 it rests on ended (2023-03-03)",
        "ISO/IEC 17021-1:2015 9.5.2; ISO/IEC 17065:2012 7.5, 7.6",
    )
    world(Decide("x", "dec1", "grant", end, "N1", "scope"))


def test_a_product_decision_is_not_dated_before_its_type_test_report(world):
    _product(world)
    _inspection(world)
    report = DAY + timedelta(days=9)
    world(_type_test("p", "t1", "pass", report))
    world(TechnicalReview("p", "rev1", "grant"))
    refused(
        world,
        Decide("p", "dec1", "grant", DAY, "P-1", "低压开关柜"),
        "decision.date",
        "before test t1 it rests on ended (2023-03-10)",
        "ISO/IEC 17021-1:2015 9.5.2; ISO/IEC 17065:2012 7.5, 7.6",
    )
    world(Decide("p", "dec1", "grant", report, "P-1", "低压开关柜"))


# .. the audits and tests are the scheme's stages ...........................


def test_audits_and_tests_are_the_stages_the_scheme_declares(world):
    _product(world)
    refused(
        world,
        PlanAudit("p", "s2", "stage2", TEAM, "FS01", DAY, DAY, 2, ["hq"]),
        "stage.declared",
        "stage2 is not an audit stage of urn:qcert:scheme:product:generic; it has "
        "factory-inspection, surveillance, special",
        "the scheme file's stages",
    )
    refused(
        world,
        RecordTest("p", "t1", "factory-inspection", "Lab", "R-1", "pass", DAY),
        "stage.declared",
        "factory-inspection is not a test stage of urn:qcert:scheme:product:generic; it has "
        "type-test, sampling",
        "the scheme file's stages",
    )
    with pytest.raises(RuleViolation) as err:
        world(RecordTest("p", "t1", "sampling", "Lab", "R-1", "pass", DAY))
    assert err.value.rule == "state.order" and "no certificate yet" in err.value.en
    world(_type_test("p", "t1", "pass"))
    _inspection(world)


def test_a_product_is_surveilled_with_a_sampling_test(world, engine):
    _product(world)
    world(_type_test("p", "t1", "pass"))
    _inspection(world)
    world(TechnicalReview("p", "rev1", "grant"))
    world(Decide("p", "dec1", "grant", DAY, "P-1", "低压开关柜"))
    sv = DAY + timedelta(days=330)
    world(PlanAudit("p", "sv1", "surveillance", TEAM, "FS01", sv, sv, 1, ["hq"]))
    world(CompleteAudit("p", "sv1", 1, sv))
    world(RecordTest("p", "t2", "sampling", "Lab", "S-1", "pass", sv + timedelta(days=14)))
    from qcert.store.replay import check_projections

    assert check_projections(engine) == []


# .. the audit time actually spent ...........................................


def test_actual_audit_time_is_held_to_the_minimum_the_contract_review_set(world):
    certify(world)  # ISO 9001, 55 people: 5 days initial, 1.5 for each surveillance
    sv = date(2024, 2, 5)
    world(PlanAudit("cert1", "sv1", "surveillance", TEAM, "FS01", sv, sv, 1.5, ["hq", "plant"]))
    refused(
        world,
        CompleteAudit("cert1", "sv1", 0.1, sv),
        "audit.actual-time",
        "actual_days: 0.1 days is below the 1.5 days the contract review set",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
    )
    world(CompleteAudit("cert1", "sv1", 1.5, sv))


def test_stage_1_and_stage_2_together_meet_the_initial_time_in_days_spent(world):
    world(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq"]))
    world(ReviewContract("x", "rev1"))
    world(PlanAudit("x", "s1", "stage1", TEAM, "FS01", DAY, DAY, 1.5, ["hq"]))
    world(PlanAudit("x", "s2", "stage2", TEAM, "FS01", DAY, DAY, 3.5, ["hq"]))
    refused(
        world,
        CompleteAudit("x", "s1", 1, DAY),
        "audit.actual-time",
        "4.5 days for the initial audit (stage1 + stage2) is below the 5 days",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
    )
    world(CompleteAudit("x", "s1", 1.5, DAY))
    refused(
        world,
        CompleteAudit("x", "s2", 3, DAY),
        "audit.actual-time",
        "4.5 days for the initial audit (stage1 + stage2) is below the 5 days",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
    )
    world(CompleteAudit("x", "s2", 3.5, DAY))


def test_a_product_inspection_spends_the_days_the_scheme_fixes(world):
    _product(world)
    world(PlanAudit("p", "fi", "factory-inspection", TEAM, "FS01", DAY, DAY, 2, ["hq"]))
    refused(
        world,
        CompleteAudit("p", "fi", 1.5, DAY),
        "audit.actual-time",
        "actual_days: 1.5 days is below the 2.0 days",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
    )
    world(CompleteAudit("p", "fi", 2, DAY))


def test_an_on_site_stage_spends_its_share_on_site(world):
    certify(world)
    sv = date(2024, 2, 5)
    refused(
        world,
        PlanAudit("cert1", "sv1", "surveillance", TEAM, "FS02", sv, sv, 1.5, ["hq", "plant"]),
        "audit.on-site",
        "method: surveillance is held on site, at least 80% of its 1.5 days",
        MD5_ON_SITE,
    )
    world(PlanAudit("cert1", "sv1", "surveillance", TEAM, "FS03", sv, sv, 1.5, ["hq", "plant"]))
    refused(
        world,
        CompleteAudit("cert1", "sv1", 1.5, sv, on_site_days=1),
        "audit.on-site",
        "on_site_days: surveillance is held on site, at least 80% of its 1.5 days; 1 days on "
        "site is less",
        MD5_ON_SITE,
    )
    world(CompleteAudit("cert1", "sv1", 1.5, sv, on_site_days=1.2))  # 80% exactly


def test_a_stage_held_off_site_may_be_remote(world):
    _stage1(world)  # stage 1 by FS02, wholly remote


# .. the body's scope and one live certificate ...............................


def test_the_body_must_be_approved_for_the_scheme_when_the_application_comes_in(world, clock):
    apply = ApplyForCertification("cf", "cb1", "c1", "carbon-footprint", [17], ["hq"])
    today = clock().date().isoformat()  # the day the world's clock stands at
    refused(
        world,
        apply,
        "body.scope",
        f"cb1 is not approved for urn:qcert:scheme:carbon-footprint:iso14067 sector(s) 17 on "
        f"{today}",
        "CNCA approval of the body's scope; ISO/IEC 17021-1:2015 9.1.2.2 c); "
        "ISO/IEC 17065:2012 7.3.1 e)",
    )
    world(GrantBodyScope("cb1", "carbon-footprint", [17], date(2020, 1, 1)))
    world(apply)


def test_the_body_must_still_be_approved_at_the_contract_review(world, engine):
    last = date.today() + timedelta(days=10)

    def on(day: date):
        noon = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # 12:00 in Beijing
        return lambda cmd: handle(cmd, UnitOfWork(engine, actor="tester", clock=lambda: noon))

    world(RegisterBody("cb3", "CNCA-R-2024-003", "新机构", "New Body", "CNAS C999-M"))
    world(GrantBodyScope("cb3", "iso9001", [17], date(2024, 1, 1), last))
    on(last)(ApplyForCertification("y", "cb3", "c1", "iso9001", [17], ["hq"]))
    refused(
        on(last + timedelta(days=1)),
        ReviewContract("y", "rev1"),
        "body.scope",
        f"cb3 is not approved for urn:qcert:scheme:iso9001:2015 sector(s) 17 on "
        f"{last + timedelta(days=1)}",
        "CNCA approval of the body's scope; ISO/IEC 17021-1:2015 9.1.2.2 c); "
        "ISO/IEC 17065:2012 7.3.1 e)",
    )
    on(last)(ReviewContract("y", "rev1"))


def test_one_live_certificate_per_scheme_and_body(world):
    certify(world)
    again = ApplyForCertification("again", "cb1", "c1", "iso9001", [17], ["hq"])
    source = "ISO/IEC 17021-1:2015 9.6.3, 9.6.4.1; ISO/IEC 17065:2012 7.9, 7.10"
    text = (
        "c1 already holds certificate 00123Q0001 ({}) for urn:qcert:scheme:iso9001:2015 at body cb1"
    )
    refused(world, again, "application.duplicate", text.format("active"), source)
    world(SuspendCertificate("cert1", "misuse of the mark", date(2024, 1, 5)))
    refused(world, again, "application.duplicate", text.format("suspended"), source)
    # Another body, or the same one once the certificate is withdrawn, takes the application.
    world(ApplyForCertification("elsewhere", "cb2", "c1", "iso9001", [17], ["hq"]))
    world(WithdrawCertificate("cert1", "suspension not resolved", date(2024, 3, 1)))
    world(again)
