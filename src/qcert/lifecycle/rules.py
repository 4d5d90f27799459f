"""The lifecycle's hard rules: id, source clause, and the refusal in zh-CN and en.

A refusal raises :class:`qcert.schemes.RuleViolation` carrying the rule id and
its source, so every face can say which rule refused and why. The ``clock.*`` rules
refuse nothing: they are what time decides by itself, and the event they cause names
the rule and its source (``CertificateStatus.enforce_clocks``). Where a rule's figure
and source are the scheme's (its on-site share, its decision rules), the refusal cites
the scheme file's source.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..locale import fill_zh
from ..locale import messages as from_catalogs
from ..locale.names import field_label, value_word
from ..schemes.errors import RuleViolation
from ..schemes.model import DecisionRule

__all__ = ["RULES", "Rule", "refuse", "refuse_decision"]


# rule id -> its message (zh-CN, en); {x_zh} is filled from x_zh, else from x (a field by its
# label, a code value by its word).
MESSAGES = from_catalogs(__name__)


@dataclass(frozen=True)
class Rule:
    """A rule: its id and the clause it comes from; its message is in the catalogs."""

    id: str
    source: str

    @property
    def zh(self) -> str:
        """The message in zh-CN, with ``{field}`` places to fill."""
        return MESSAGES[self.id][0]

    @property
    def en(self) -> str:
        """The message in en, with ``{field}`` places to fill."""
        return MESSAGES[self.id][1]


_RULES = [
    Rule("input.invalid", "qcert"),
    Rule("state.order", "ISO/IEC 17021-1:2015 9.1-9.6"),
    Rule("uscc.check", "GB 32100-2015 4.3"),
    Rule("adcode.format", "GB/T 2260"),
    # Effective dates: a record says when its fact happened; the ledger says when it was
    # recorded. 国市监认证发〔2025〕72号 (二) asks that the whole process be traceable and
    # auditable, and ISO/IEC 17021-1:2015 9.9 that client records be kept as they happened.
    Rule("date.future", "国市监认证发〔2025〕72号 (二); ISO/IEC 17021-1:2015 9.9"),
    Rule("date.order", "国市监认证发〔2025〕72号 (二); ISO/IEC 17021-1:2015 9.9"),
    Rule("date.late", "ISO/IEC 17021-1:2015 9.6.5, 8.1.3; 国市监认证发〔2025〕72号 (二)"),
    Rule("date.late-approver", "ISO/IEC 17021-1:2015 9.6.5; four-eyes principle"),
    Rule(
        "body.scope",
        "CNCA approval of the body's scope; ISO/IEC 17021-1:2015 9.1.2.2 c); "
        "ISO/IEC 17065:2012 7.3.1 e)",
    ),
    Rule(
        "application.duplicate", "ISO/IEC 17021-1:2015 9.6.3, 9.6.4.1; ISO/IEC 17065:2012 7.9, 7.10"
    ),
    Rule("stage.declared", "the scheme file's stages"),
    Rule("auditor.qualified", "ISO/IEC 17021-1:2015 7.2.4"),
    Rule("auditor.employer", "ISO/IEC 17021-1:2015 7.3"),
    Rule("audit.team-lead", "ISO/IEC 17021-1:2015 9.2.2.1"),
    # Not spelled out by the standard: the team assigned for an audit's dates (9.2.2, 9.2.3)
    # spends those days on it (9.1.4), so it cannot spend them on another (lifecycle.booking).
    Rule("audit.double-booking", "ISO/IEC 17021-1:2015 9.2.2, 9.2.3, 9.1.4"),
    Rule("audit.method", "CNCA audit method codes"),
    Rule(
        "checkin.window",
        "国认监〔2021〕3号 (check in at the opening meeting, out at the closing meeting)",
    ),
    Rule("audit.time-minimum", "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2"),
    Rule("audit.actual-time", "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2"),
    Rule(
        "audit.on-site",
        "the scheme file's audit_time.on_site_source (IAF MD 5:2019 4.1 for management systems)",
    ),
    Rule("surveillance.first-12-months", "ISO/IEC 17021-1:2015 9.6.2.2"),
    Rule("surveillance.calendar-year", "ISO/IEC 17021-1:2015 9.1.3.2"),
    Rule("md1.sample", "IAF MD 1:2018 6.1.3.3"),
    Rule("md1.random", "IAF MD 1:2018 6.1"),
    Rule("finding.clause", "scheme clause tree"),
    Rule("nc.major-six-months", "ISO/IEC 17021-1:2015 9.5.3.2"),
    Rule("decision.majors-open", "ISO/IEC 17021-1:2015 9.5.3.2"),
    Rule("decision.date", "ISO/IEC 17021-1:2015 9.5.2; ISO/IEC 17065:2012 7.5, 7.6"),
    Rule("decision.<rule>", "the source the scheme file gives its decision rule"),
    Rule("decision.independence", "ISO/IEC 17021-1:2015 9.5.1.2"),
    Rule("review.independence", "ISO/IEC 17021-1:2015 9.5.1.2"),
    Rule("recertification.before-expiry", "ISO/IEC 17021-1:2015 9.6.3.2.5"),
    Rule("status.transition", "ISO/IEC 17021-1:2015 9.6.5"),
    Rule("transfer.suspended", "IAF MD 2:2017 2.2"),
    # 9.7.3: the persons handling an appeal differ from those who carried out the audits and
    # made the certification decisions. 9.8.8 asks it of who decides a complaint; qcert asks it
    # of a complaint's handler too, since the handler prepares that decision.
    Rule("case.independence", "ISO/IEC 17021-1:2015 9.7.3, 9.8.8"),
    # 9.7.8 (appeals) and 9.8.8 (complaints): the decision communicated is made, or reviewed
    # and approved, by persons not previously involved in the subject of the case. The
    # refusal cites the clauses of the case's kind (``lifecycle.cases.DECIDER_SOURCE``).
    Rule("case.decider-independence", "ISO/IEC 17021-1:2015 9.7.3, 9.7.8, 9.8.8"),
    # 9.7.9, 9.8.9: the formal notice of the end of the process closes the case; 9.7.7, 9.8.7:
    # receipt is acknowledged (once), progress and the outcome reported while it is open.
    Rule("case.closed", "ISO/IEC 17021-1:2015 9.7.9, 9.8.9"),
    Rule("case.acknowledged", "ISO/IEC 17021-1:2015 9.7.7, 9.8.7"),
    # ISO/IEC 17021-1:2015 9.6.5 (suspending, withdrawing or reducing the scope): the body
    # restores a suspended certification once the issue is resolved; failing that within the
    # time it set, the certification is withdrawn (or its scope reduced). The deadline a
    # suspension records is that time; a reduction is the body's own decision, never the clock's.
    Rule("clock.suspension-lapsed", "ISO/IEC 17021-1:2015 9.6.5"),
    # ISO/IEC 17021-1:2015 8.2.2 (the certificate states its expiry date) and 9.6.3.2
    # (recertification decided before expiry): without a renewal the certification lapses the
    # day after; 9.6.3.2.5 still lets the body restore it within 6 months
    # (``recertification.before-expiry``).
    Rule("clock.expired", "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2"),
    Rule("override.reason", "qcert"),
    # The supervision hub (国市监认证发〔2025〕72号 (十一)): bodies report through one standard
    # interface, each under the keys and the log it enrolled with.
    # 国市监认证发〔2025〕72号 (三): an organisation's data sources, registered with what they
    # report, so process data collected online is tied to who sent it.
    Rule("evidence.device", "国市监认证发〔2025〕72号 (三)"),
    Rule("hub.enrolment", "国市监认证发〔2025〕72号 (十一)"),
]
RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def refuse(rule_id: str, cite: str | None = None, **values: object) -> RuleViolation:
    """The violation of ``rule_id``, its messages filled from ``values``; ``cite`` is the source
    where the scheme file gives it (the catalogue's source says so)."""
    rule = RULES[rule_id]

    class _Missing(dict):
        # A Chinese word not given is the field's label or the code value's word, never the
        # English id (the refusal's JSON keeps the ids in their own keys).
        def __missing__(self, key: str) -> str:
            base = key.removesuffix("_zh")
            found = values.get(base, "")
            if key == base:
                return found  # type: ignore[return-value]
            return field_label(str(found)) if base == "field" else value_word(found)

    fill = _Missing(
        {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in values.items()}
    )
    return RuleViolation(
        rule.id, cite or rule.source, rule.en.format_map(fill), fill_zh(rule.zh, fill)
    )


def refuse_decision(rule: DecisionRule, detail: str, detail_zh: str) -> RuleViolation:
    """The violation of a scheme's decision ``rule``: ``decision.<its id>``, its text and the
    source the scheme file gives it, with what was not met."""
    found = refuse(
        "decision.<rule>",
        cite=rule.source,
        text=rule.text.en,
        text_zh=rule.text.zh,
        detail=detail,
        detail_zh=detail_zh,
    )
    return RuleViolation(f"decision.{rule.id}", found.source, found.en, found.zh)
