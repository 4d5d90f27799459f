"""The scheme files' decision rules, on the domain alone: every check a file may name is one the
lifecycle computes, and each computes what its rule says."""

from datetime import date

from qcert.lifecycle.certification import Certification
from qcert.lifecycle.decision_rules import PREDICATES
from qcert.lifecycle.parties import Auditor, Body, Client
from qcert.schemes import get
from qcert.schemes.model import CHECK_NAMES, CHECKS

SITE = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}
TEAM = [{"auditor": "lead", "role": "lead"}]
ON = date(2023, 3, 1)


def test_every_check_a_scheme_may_name_is_computed():
    assert set(PREDICATES) == set(CHECK_NAMES)


def test_every_check_says_what_it_verifies_in_both_languages():
    # The words are in the catalogs, the names in the code: the two lists must not drift.
    assert list(CHECKS) == list(CHECK_NAMES)
    assert all(zh != en and zh and en for zh, en in CHECKS.values())


def _after_stage2(major: bool) -> Certification:
    body = Body.register("cb", "A1", "机构", "Body", "CNAS")
    body.grant_scope("iso9001", [17], date(2000, 1, 1))
    lead = Auditor.register("lead", "R1", "组长", "cb")
    lead.qualify("iso9001", [17])
    client = Client.register("c", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, [SITE])
    cert = Certification.apply_for("x", body, client, "iso9001", [17], ["hq"], on=ON)
    cert.review_contract("rev", body, ON)
    for aid, kind, days in (("s1", "stage1", 1), ("s2", "stage2", 3)):
        cert.plan_audit(aid, kind, TEAM, "FS01", ON, ON, days, ["hq"], {"lead": lead}, body)
        if major and kind == "stage2":
            cert.raise_finding("nc1", "s2", "major", "8.5", "no traceability", "lead")
        cert.complete_audit(aid, days, ON)
    cert.technical_review("rev", "grant")
    return cert


def _rule(rule_id: str):
    return next(r for r in get("iso9001").decision_rules if r.id == rule_id)


def test_majors_closed_counts_the_cycles_open_majors():
    check = PREDICATES["nonconformities-closed"]
    cert = _after_stage2(major=True)
    assert check(cert, _rule("majors-closed"), "grant", "dec") == (
        "not closed: nc1",
        "尚未关闭：nc1",
    )
    cert.answer_finding("nc1", "traced", "no rule", "rule added")
    assert check(cert, _rule("majors-closed"), "grant", "dec") is not None
    cert.close_finding("nc1", "lead", ON)
    assert check(cert, _rule("majors-closed"), "grant", "dec") is None


def test_independent_decision_excludes_the_team_and_the_reviewer():
    check = PREDICATES["decider-independent"]
    cert = _after_stage2(major=False)
    assert check(cert, _rule("independent-decision"), "grant", "lead") is not None
    assert check(cert, _rule("independent-decision"), "grant", "rev") is not None
    assert check(cert, _rule("independent-decision"), "grant", "dec") is None


def test_stages_done_asks_the_recertification_stages_of_a_renewal():
    cert = _after_stage2(major=False)
    rule = _rule("stages")
    assert PREDICATES["stages-done"](cert, rule, "grant", "dec") is None
    assert PREDICATES["stages-done"](cert, rule, "renew", "dec") == (
        "not done in this cycle: recertification",
        "本周期尚未完成：recertification",
    )
