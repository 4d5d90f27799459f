"""The predicates a scheme's decision rules name (``check`` in the scheme file), computed over a
certification's state. :data:`qcert.schemes.model.CHECK_NAMES` lists the same names for the
scheme loader, which refuses a file naming any other, and ``CHECKS`` what each verifies (from
the catalogs); a test holds the lists together.

Each predicate returns None when the rule is met, else what is missing in en and zh-CN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..locale.problems import problem
from ..schemes.model import DecisionRule
from .rules import refuse_decision

if TYPE_CHECKING:
    from .certification import Certification

__all__ = ["PREDICATES", "check_decision_rules"]

Unmet = tuple[str, str] | None
Predicate = Callable[["Certification", DecisionRule, str, str], Unmet]


def _stages_done(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    """The initial stages before a grant, the recertification stages before a renewal."""
    phase = "initial" if outcome == "grant" else "recertification"
    missing = [s.id for s in c.scheme().stages_in(phase) if not c.stage_done(s.id)]
    if not missing:
        return None
    return problem("unmet.stages_not_done", names=", ".join(missing))


def _nonconformities(c: Certification, rule: DecisionRule, statuses: tuple[str, ...]) -> list[str]:
    grades = rule.grades or ["major", "minor"]
    return sorted(
        fid
        for fid, f in c.findings.items()
        if f.grade in grades
        and f.status in statuses
        and c.audits[f.audit_id].cycle == c.cycle
        and (rule.stage is None or c.audits[f.audit_id].kind == rule.stage)
    )


def _closed(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    open_ = _nonconformities(c, rule, ("open", "answered"))
    if not open_:
        return None
    return problem("unmet.not_closed", findings=", ".join(open_))


def _answered(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    unanswered = _nonconformities(c, rule, ("open",))
    if not unanswered:
        return None
    return problem("unmet.no_corrective_plan", findings=unanswered)


def _test_passed(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    assert rule.stage is not None
    tests = c.tests_of(rule.stage)
    if not tests:
        return problem("unmet.no_test", stage=rule.stage)
    latest = tests[-1]
    if latest.result == "pass":
        return None
    on = latest.on.isoformat()
    return problem("unmet.test_failed", stage=rule.stage, report=latest.report_no, on=on)


def _independent(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    if decider not in c.team_members() and decider != c.reviewer:
        return None
    return problem("unmet.decider_took_part", decider=decider)


PREDICATES: dict[str, Predicate] = {
    "stages-done": _stages_done,
    "nonconformities-closed": _closed,
    "nonconformities-answered": _answered,
    "test-passed": _test_passed,
    "decider-independent": _independent,
}


def check_decision_rules(c: Certification, outcome: str, decider: str) -> None:
    """Refuse a grant or renewal that fails one of the scheme's decision rules, in the order the
    scheme file lists them, as ``decision.<rule id>`` with the rule's text and source."""
    for rule in c.scheme().decision_rules:
        if outcome not in rule.outcomes:
            continue
        unmet = PREDICATES[rule.check](c, rule, outcome, decider)
        if unmet is not None:
            raise refuse_decision(rule, *unmet)
