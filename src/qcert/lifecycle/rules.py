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

from ..locale.names import field_label, value_word
from ..schemes.errors import RuleViolation
from ..schemes.model import DecisionRule

__all__ = ["RULES", "Rule", "refuse", "refuse_decision"]


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    en: str
    zh: str


_RULES = [
    Rule("input.invalid", "qcert", "{field}: {problem}", "{field_zh}：{problem_zh}"),
    Rule(
        "state.order",
        "ISO/IEC 17021-1:2015 9.1-9.6",
        "{action} is not possible now: {why}",
        "当前不能{action_zh}：{why_zh}",
    ),
    Rule("uscc.check", "GB 32100-2015 4.3", "uscc: {problem}", "统一社会信用代码：{problem_zh}"),
    Rule("adcode.format", "GB/T 2260", "{field}: {problem}", "{field_zh}：{problem_zh}"),
    # Effective dates: a record says when its fact happened; the ledger says when it was
    # recorded. 国市监认证发〔2025〕72号 (二) asks that the whole process be traceable and
    # auditable, and ISO/IEC 17021-1:2015 9.9 that client records be kept as they happened.
    Rule(
        "date.future",
        "国市监认证发〔2025〕72号 (二); ISO/IEC 17021-1:2015 9.9",
        "{field}: {on} is after today ({today}); a fact is recorded once it has happened",
        "{field_zh}：{on} 晚于今天（{today}）；事实发生后方可记录",
    ),
    Rule(
        "date.order",
        "国市监认证发〔2025〕72号 (二); ISO/IEC 17021-1:2015 9.9",
        "{field}: {on} is before {previous}, the date of an earlier record of {cid} ({what})",
        "{field_zh}：{on} 早于 {cid} 此前一条记录的日期 {previous}",
    ),
    Rule(
        "date.late",
        "ISO/IEC 17021-1:2015 9.6.5, 8.1.3; 国市监认证发〔2025〕72号 (二)",
        "{field}: {on} is {days} days before today ({today}); a status change dated more than "
        "{window} days back needs a reason and a second person's approval "
        "(approve-late-record), and is shown as recorded late",
        "{field_zh}：{on} 早于今天（{today}）{days} 天；超过 {window} 天的状态变更须说明理由、"
        "经另一人批准（`approve-late-record`），并标示为补记",
    ),
    Rule(
        "date.late-approver",
        "ISO/IEC 17021-1:2015 9.6.5; four-eyes principle",
        "the late record of {on} was approved by {person}, who cannot also record it",
        "{on} 的补记由 {person} 批准，批准人不能同时记录",
    ),
    Rule(
        "body.scope",
        "CNCA approval of the body's scope; ISO/IEC 17021-1:2015 9.1.2.2 c); "
        "ISO/IEC 17065:2012 7.3.1 e)",
        "body {body} is not approved for {scheme} sector(s) {sectors} on {on}",
        "认证机构 {body} 在 {on} 未获批准从事 {scheme} 专业 {sectors} 的认证",
    ),
    Rule(
        "application.duplicate",
        "ISO/IEC 17021-1:2015 9.6.3, 9.6.4.1; ISO/IEC 17065:2012 7.9, 7.10",
        "{client} already holds certificate {number} ({status}) for {scheme} at body {body} "
        "(certification {held}); it is renewed by recertification or its scope extended, not "
        "applied for again",
        "{client} 已持有认证机构 {body} 颁发的 {scheme} 证书 {number}（{status_zh}，认证项目 "
        "{held}），应通过再认证或扩大范围办理，不能重复申请",
    ),
    Rule(
        "stage.declared",
        "the scheme file's stages",
        "{field}: {value} is not {what} of {scheme}; it has {allowed}",
        "{field_zh}：{value} 不是 {scheme} 的{what_zh}；可选 {allowed_zh}",
    ),
    Rule(
        "auditor.qualified",
        "ISO/IEC 17021-1:2015 7.2.4",
        "auditor {auditor} is not qualified for {scheme} sector(s) {sectors}",
        "审核员 {auditor} 不具备 {scheme} 专业 {sectors} 的能力",
    ),
    Rule(
        "auditor.employer",
        "ISO/IEC 17021-1:2015 7.3",
        "auditor {auditor} does not work for body {body}",
        "审核员 {auditor} 不属于认证机构 {body}",
    ),
    Rule(
        "audit.team-lead",
        "ISO/IEC 17021-1:2015 9.2.2.1",
        "team: exactly one lead auditor is required",
        "审核组：须有且仅有一名审核组长",
    ),
    # Not spelled out by the standard: the team assigned for an audit's dates (9.2.2, 9.2.3)
    # spends those days on it (9.1.4), so it cannot spend them on another (lifecycle.booking).
    Rule(
        "audit.double-booking",
        "ISO/IEC 17021-1:2015 9.2.2, 9.2.3, 9.1.4",
        "{field}: {auditor} is already on audit {audit} of {organisation} ({scheme}, "
        "certification {certification}) from {start} to {end}; an auditor cannot be on two "
        "audits on the same days",
        "{field_zh}：{auditor} 已在 {start} 至 {end} 参加 {organisation_zh}（{scheme_zh}，认证项目 "
        "{certification}）的审核 {audit}；同一审核员不能在相同日期参加两次审核",
    ),
    Rule(
        "audit.method",
        "CNCA audit method codes",
        "method: {method} is not FS01, FS02 or FS03",
        "审核方式：{method} 不是 FS01、FS02 或 FS03",
    ),
    Rule(
        "checkin.window",
        "国认监〔2021〕3号 (check in at the opening meeting, out at the closing meeting)",
        "{auditor} cannot check {direction} to {audit} on {today}: the audit runs from {start} "
        "to {end}",
        "{auditor} 不能在 {today} 对审核 {audit} 签{direction_zh}：审核日期为 {start} 至 {end}",
    ),
    Rule(
        "audit.time-minimum",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
        "planned_days: {planned} days is below the {minimum} days the contract review set",
        "计划人日：{planned} 低于合同评审确定的 {minimum} 人日",
    ),
    Rule(
        "audit.actual-time",
        "IAF MD 5:2019 3.9; IAF MD 11:2019 2.2",
        "actual_days: {actual} days{what} is below the {minimum} days the contract review set",
        "实际人日：{actual} 人日{what_zh}低于合同评审确定的 {minimum} 人日",
    ),
    Rule(
        "audit.on-site",
        "the scheme file's audit_time.on_site_source (IAF MD 5:2019 4.1 for management systems)",
        "{field}: {stage} is held on site, at least {share} of its {days} days; "
        "{on_site} days on site is less",
        "{field_zh}：{stage_zh} 为现场阶段，其 {days} 人日中现场须不少于 {share}；现场 {on_site} "
        "人日不足",
    ),
    Rule(
        "surveillance.first-12-months",
        "ISO/IEC 17021-1:2015 9.6.2.2",
        "start: the first surveillance must be within 12 months of the decision ({limit})",
        "开始日期：初次认证后的第一次监督审核须在认证决定后 12 个月内（{limit} 前）",
    ),
    Rule(
        "surveillance.calendar-year",
        "ISO/IEC 17021-1:2015 9.1.3.2",
        "start: {year} would pass without a surveillance audit",
        "开始日期：{year} 年将没有监督审核",
    ),
    Rule(
        "md1.sample",
        "IAF MD 1:2018 6.1.3.3",
        "sites: a {kind} audit of this multi-site organisation visits at least {size} site(s) "
        "besides the central function{central}",
        "场所：本次{kind_zh}须抽取中心职能以外至少 {size} 个场所{central_zh}",
    ),
    Rule(
        "md1.random",
        "IAF MD 1:2018 6.1",
        "sites: at least 25% of the sample is drawn at random; include {sites}",
        "场所：样本中至少 25% 须随机抽取；须包含 {sites}",
    ),
    Rule(
        "finding.clause",
        "scheme clause tree",
        "clause: {clause} is not a clause of {scheme}",
        "条款：{clause} 不是 {scheme} 的条款",
    ),
    Rule(
        "nc.major-six-months",
        "ISO/IEC 17021-1:2015 9.5.3.2",
        "major nonconformity {finding} can no longer be closed: more than 6 months since stage 2 "
        "ended on {stage2}; a new stage 2 is required",
        "严重不符合 {finding} 已超过第二阶段审核结束（{stage2}）后 6 个月，须重新进行第二阶段审核",
    ),
    Rule(
        "decision.majors-open",
        "ISO/IEC 17021-1:2015 9.5.3.2",
        "decision: major nonconformities still open: {findings}",
        "认证决定：仍有未关闭的严重不符合：{findings}",
    ),
    Rule(
        "decision.date",
        "ISO/IEC 17021-1:2015 9.5.2; ISO/IEC 17065:2012 7.5, 7.6",
        "on: the decision ({on}) cannot come before {what} it rests on ended ({last})",
        "决定日期：{on} 早于其所依据的{what_zh}的结束日期（{last}）",
    ),
    Rule(
        "decision.<rule>",
        "the source the scheme file gives its decision rule",
        "decision: {text} ({detail})",
        "认证决定：{text_zh}（{detail_zh}）",
    ),
    Rule(
        "decision.independence",
        "ISO/IEC 17021-1:2015 9.5.1.2",
        "decider: {person} took part in the audit or its technical review",
        "决定人员：{person} 参与了该审核或技术评审",
    ),
    Rule(
        "review.independence",
        "ISO/IEC 17021-1:2015 9.5.1.2",
        "reviewer: {person} took part in the audit",
        "技术评审人员：{person} 参与了该审核",
    ),
    Rule(
        "recertification.before-expiry",
        "ISO/IEC 17021-1:2015 9.6.3.2.5",
        "decision: the certificate expired on {expiry}; restoration is possible only within "
        "6 months ({limit}), after that a new certification is required",
        "认证决定：证书已于 {expiry} 到期，仅可在 6 个月内（{limit} 前）恢复，之后须重新认证",
    ),
    Rule(
        "status.transition",
        "ISO/IEC 17021-1:2015 9.6.5",
        "certificate {number}: cannot {action} a {status} certificate",
        "证书 {number}：不能对状态为{status_zh}的证书执行{action_zh}",
    ),
    Rule(
        "transfer.suspended",
        "IAF MD 2:2017 2.2",
        "certificate {number} is suspended and cannot be transferred",
        "证书 {number} 处于暂停状态，不能转换认证机构",
    ),
    # 9.7.3: the persons handling an appeal differ from those who carried out the audits and
    # made the certification decisions. 9.8.8 asks it of who decides a complaint; qcert asks it
    # of a complaint's handler too, since the handler prepares that decision.
    Rule(
        "case.independence",
        "ISO/IEC 17021-1:2015 9.7.3, 9.8.8",
        "handler: {person} was involved in the activities the {kind} is about",
        "处理人员：{person} 参与了该{kind_zh}所涉及的活动",
    ),
    # 9.7.8 (appeals) and 9.8.8 (complaints): the decision communicated is made, or reviewed
    # and approved, by persons not previously involved in the subject of the case. The
    # refusal cites the clauses of the case's kind (``lifecycle.cases.DECIDER_SOURCE``).
    Rule(
        "case.decider-independence",
        "ISO/IEC 17021-1:2015 9.7.3, 9.7.8, 9.8.8",
        "decider: {person} audited, reviewed or decided certification {cid}, which the {kind} "
        "is about; the decision is made, or reviewed and approved, by persons not previously "
        "involved in its subject",
        "决定人员：{person} 参与过该{kind_zh}所涉及的认证项目 {cid} 的审核、技术评审或认证决定；"
        "结论须由未曾参与该事项的人员作出，或经其审查和批准",
    ),
    # 9.7.9, 9.8.9: the formal notice of the end of the process closes the case; 9.7.7, 9.8.7:
    # receipt is acknowledged (once), progress and the outcome reported while it is open.
    Rule(
        "case.closed",
        "ISO/IEC 17021-1:2015 9.7.9, 9.8.9",
        "case {case}: {action} is not possible, the {kind} was decided and closed on {on}",
        "案件 {case}：该{kind_zh}已于 {on} 作出结论并结案，不能再{action_zh}",
    ),
    Rule(
        "case.acknowledged",
        "ISO/IEC 17021-1:2015 9.7.7, 9.8.7",
        "case {case}: receipt was already acknowledged at {at}; record further steps as progress",
        "案件 {case}：已于 {at} 确认收到，后续情况请记录为处理进展",
    ),
    # ISO/IEC 17021-1:2015 9.6.5 (suspending, withdrawing or reducing the scope): the body
    # restores a suspended certification once the issue is resolved; failing that within the
    # time it set, the certification is withdrawn (or its scope reduced). The deadline a
    # suspension records is that time; a reduction is the body's own decision, never the clock's.
    Rule(
        "clock.suspension-lapsed",
        "ISO/IEC 17021-1:2015 9.6.5",
        "suspension not resolved by its deadline",
        "暂停期限届满，导致暂停的问题仍未解决",
    ),
    # ISO/IEC 17021-1:2015 8.2.2 (the certificate states its expiry date) and 9.6.3.2
    # (recertification decided before expiry): without a renewal the certification lapses the
    # day after; 9.6.3.2.5 still lets the body restore it within 6 months
    # (``recertification.before-expiry``).
    Rule(
        "clock.expired",
        "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2",
        "certificate past its expiry date without recertification",
        "证书已过有效期且未完成再认证",
    ),
    Rule(
        "override.reason",
        "qcert",
        "override: a reason and the person who approves it are required",
        "例外批准：须说明理由并注明批准人",
    ),
    # The supervision hub (国市监认证发〔2025〕72号 (十一)): bodies report through one standard
    # interface, each under the keys and the log it enrolled with.
    # 国市监认证发〔2025〕72号 (三): an organisation's data sources, registered with what they
    # report, so process data collected online is tied to who sent it.
    Rule(
        "evidence.device",
        "国市监认证发〔2025〕72号 (三)",
        "{field}: {problem}",
        "{field_zh}：{problem_zh}",
    ),
    Rule(
        "hub.enrolment",
        "国市监认证发〔2025〕72号 (十一)",
        "{field}: {problem}",
        "{field_zh}：{problem_zh}",
    ),
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
        rule.id, cite or rule.source, rule.en.format_map(fill), rule.zh.format_map(fill)
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
