"""The predicates a scheme's decision rules name (``check`` in the scheme file), computed over a
certification's state. :data:`qcert.schemes.model.CHECK_NAMES` lists the same names for the
scheme loader, which refuses a file naming any other, and ``CHECKS`` what each verifies (from
the catalogs); a test holds the lists together.

Each predicate returns None when the rule is met, else what is missing in en and zh-CN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
    names = ", ".join(missing)
    return f"not done in this cycle: {names}", f"本周期尚未完成：{names}"


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
    return f"not closed: {', '.join(open_)}", f"尚未关闭：{', '.join(open_)}"


def _answered(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    unanswered = _nonconformities(c, rule, ("open",))
    if not unanswered:
        return None
    return (
        f"no correction and corrective action plan for {', '.join(unanswered)}",
        f"{'、'.join(unanswered)} 尚无纠正和纠正措施计划",
    )


def _test_passed(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    assert rule.stage is not None
    tests = c.tests_of(rule.stage)
    if not tests:
        return f"no {rule.stage} test in this cycle", f"本周期没有 {rule.stage} 试验"
    latest = tests[-1]
    if latest.result == "pass":
        return None
    return (
        f"{rule.stage} report {latest.report_no} of {latest.on.isoformat()} concludes fail",
        f"{rule.stage} 报告 {latest.report_no}（{latest.on.isoformat()}）结论为不合格",
    )


def _independent(c: Certification, rule: DecisionRule, outcome: str, decider: str) -> Unmet:
    if decider not in c.team_members() and decider != c.reviewer:
        return None
    return f"{decider} took part", f"{decider} 参与了审核或技术评审"


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
