"""Audit time (IAF MD 5) and multi-site sampling (IAF MD 1), with their justification.

Pure functions over the reference tables in ``reference/``. Every figure
carries the rule it came from, in zh-CN and en, so a contract review can show
why the days are what they are.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from .errors import RuleViolation
from .model import Scheme
from .reference import Md5Row, Md5Table, ReductionCaps, md5_table

__all__ = [
    "AuditTime",
    "Reason",
    "SampleSizes",
    "audit_time",
    "random_sites",
    "round_half_day",
    "sample_sizes",
    "scheme_audit_time",
]


@dataclass(frozen=True)
class Reason:
    """One step of a justification: what was done, under which rule."""

    rule: str
    en: str
    zh: str


@dataclass(frozen=True)
class AuditTime:
    """Audit days for a certification cycle (8-hour days, rounded to half days)."""

    table_days: float
    initial_days: float
    surveillance_days: float
    recertification_days: float
    on_site_min_days: float
    reduction_pct: float
    hours_per_day: int
    reasons: list[Reason] = field(default_factory=list)


def round_half_day(days: float) -> float:
    """Round to the nearest half day, halves up (IAF MD 5: audit time in half days)."""
    halves = (Decimal(str(days)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(halves / 2)


def audit_time(
    table: Md5Table,
    personnel: int,
    complexity: str | None = None,
    reduction_pct: float = 0.0,
    integrated_pct: float = 0.0,
    caps: ReductionCaps | None = None,
    per_site: bool = False,
) -> AuditTime:
    """Initial, surveillance and recertification days for ``personnel`` effective persons.

    ``reduction_pct`` is the net reduction for MD 5 factors (capped at 30%),
    ``integrated_pct`` the reduction for an integrated audit (IAF MD 11, capped
    at 20%). With ``per_site`` the time is one sampled site's of a multi-site
    organisation: its reduction, which may include centralised processes, is
    capped at 50% in all (IAF MD 1:2018 7.3.1). Refuses, naming the rule,
    anything a cap forbids.
    """
    caps = caps or table.caps
    if personnel < 1:
        raise RuleViolation(
            "md5.personnel", "IAF MD 5", "personnel: must be at least 1", "人数：至少为 1"
        )
    column = table.column(complexity)
    row = table.row_for(personnel)
    base = row.days[column]
    reasons = [
        Reason(
            table.source,
            f"{personnel} effective personnel fall in {row.label}: {base} days "
            f"(stage 1 + stage 2{', complexity ' + column if column != 'all' else ''})",
            f"有效人数 {personnel} 属于 {row.label} 档：{base} 人日（一阶段 + 二阶段"
            f"{'，复杂程度 ' + column if column != 'all' else ''}）",
        )
    ]
    if per_site:
        _check_cap(
            "md1.site-cap", reduction_pct, caps.md1_site_pct, caps.md1_source, "reduction", "减少"
        )
    else:
        _check_cap(
            "md5.reduction-cap", reduction_pct, caps.md5_pct, caps.md5_source, "reduction", "减少"
        )
    _check_cap(
        "md11.integration-cap",
        integrated_pct,
        caps.md11_pct,
        caps.md11_source,
        "integrated",
        "结合审核减少",
    )
    # MD 11 reduces the time already adjusted under MD 5: the two apply in turn.
    days = base * (1 - reduction_pct / 100) * (1 - integrated_pct / 100)
    total_pct = round(100 * (1 - days / base), 2)
    floor = base * (1 - caps.md5_pct / 100) * (1 - (caps.md11_pct if integrated_pct else 0) / 100)
    if per_site:
        # MD 1 7.3.1: whatever is combined, a sampled site keeps at least half its table time.
        floor = base * (1 - caps.md1_site_pct / 100)
        if total_pct > caps.md1_site_pct:
            raise RuleViolation(
                "md1.site-cap",
                caps.md1_source,
                f"reduction: {total_pct:g}% in all exceeds the {caps.md1_site_pct:g}% cap per "
                f"sampled site of {caps.md1_source}",
                f"减少：合计 {total_pct:g}% 超过 {caps.md1_source} 规定的每个抽样场所上限 "
                f"{caps.md1_site_pct:g}%",
            )
    if total_pct:
        why_en = "this site (MD 5 factors, centralised processes)" if per_site else "MD 5 factors"
        why_zh = "该场所（MD 5 因素、集中过程）" if per_site else "MD 5 因素"
        reasons.append(
            Reason(
                caps.md1_source if per_site else caps.md5_source,
                f"reduced by {reduction_pct:g}% for {why_en}, then {integrated_pct:g}% for an "
                f"integrated audit: {days:.4g} days",
                f"按{why_zh}减少 {reduction_pct:g}%，再按结合审核减少 {integrated_pct:g}%："
                f"{days:.4g} 人日",
            )
        )
    initial = round_half_day(days)
    if initial < floor:
        # Rounding must not carry a reduction past its cap.
        initial = math.ceil(floor * 2) / 2
    surveillance = round_half_day(initial * table.surveillance_fraction)
    recert = round_half_day(initial * table.recertification_fraction)
    on_site = round_half_day(initial * table.on_site_min_share)
    reasons += [
        Reason(
            table.rounding_source,
            f"rounded to the nearest half day: {initial} days of {table.hours_per_day} hours",
            f"按半人日取整：{initial} 人日（每人日 {table.hours_per_day} 小时）",
        ),
        Reason(
            table.on_site_source,
            f"at least {table.on_site_min_share:.0%} on site: {on_site} days",
            f"现场审核不少于 {table.on_site_min_share:.0%}：{on_site} 人日",
        ),
        Reason(
            table.cycle_source,
            f"surveillance about {table.surveillance_fraction:.3g} of initial: "
            f"{surveillance} days; "
            f"recertification about {table.recertification_fraction:.3g}: {recert} days",
            f"监督审核约为初次审核的 {table.surveillance_fraction:.3g}：{surveillance} 人日；"
            f"再认证约为 {table.recertification_fraction:.3g}：{recert} 人日",
        ),
    ]
    return AuditTime(
        table_days=base,
        initial_days=initial,
        surveillance_days=surveillance,
        recertification_days=recert,
        on_site_min_days=on_site,
        reduction_pct=total_pct,
        hours_per_day=table.hours_per_day,
        reasons=reasons,
    )


def _check_cap(rule: str, pct: float, cap: float, source: str, en: str, zh: str) -> None:
    if pct < 0 or pct > 100:
        raise RuleViolation(
            rule, source, f"{en}: must be between 0 and 100 percent", f"{zh}：须在 0 到 100 之间"
        )
    if pct > cap:
        raise RuleViolation(
            rule,
            source,
            f"{en}: {pct:g}% exceeds the {cap:g}% cap of {source}",
            f"{zh}：{pct:g}% 超过 {source} 规定的上限 {cap:g}%",
        )


@dataclass(frozen=True)
class SampleSizes:
    """Sites to visit per audit of a multi-site organisation (IAF MD 1), besides the centre."""

    sites: int
    initial: int
    surveillance: int
    recertification: int
    random_min: dict[str, int]
    reasons: list[Reason]

    def cycle(self) -> list[int]:
        """Initial, first surveillance, second surveillance, recertification."""
        return [self.initial, self.surveillance, self.surveillance, self.recertification]


def sample_sizes(sites: int, source: str = "IAF MD 1:2018 7.3") -> SampleSizes:
    """Sample sizes for ``sites`` sites: ceil(sqrt x), ceil(0.6 sqrt x), ceil(0.8 sqrt x)."""
    if sites < 1:
        raise RuleViolation("md1.sites", source, "sites: must be at least 1", "场所数：至少为 1")
    root = math.sqrt(sites)
    initial = min(sites, math.ceil(root))
    surveillance = min(sites, math.ceil(0.6 * root))
    recert = min(sites, math.ceil(0.8 * root))
    sizes = {"initial": initial, "surveillance": surveillance, "recertification": recert}
    random_min = {k: math.ceil(v * 0.25) for k, v in sizes.items()}
    reasons = [
        Reason(
            source,
            f"initial y = ceil(sqrt({sites})) = {initial}",
            f"初次审核 y = ⌈√{sites}⌉ = {initial}",
        ),
        Reason(
            source,
            f"surveillance y = ceil(0.6 sqrt({sites})) = {surveillance}",
            f"监督审核 y = ⌈0.6√{sites}⌉ = {surveillance}",
        ),
        Reason(
            source,
            f"recertification y = ceil(0.8 sqrt({sites})) = {recert}",
            f"再认证 y = ⌈0.8√{sites}⌉ = {recert}",
        ),
        Reason(
            "IAF MD 1:2018 7.3",
            "the central function is audited every time, besides the sample",
            "中心职能每次均需审核，不计入样本",
        ),
        Reason(
            "IAF MD 1:2018 6.1.3",
            "at least 25% of each sample is chosen at random: "
            + ", ".join(f"{k} {v}" for k, v in random_min.items()),
            "每次样本中至少 25% 随机选取：" + "，".join(f"{k} {v}" for k, v in random_min.items()),
        ),
    ]
    return SampleSizes(sites, initial, surveillance, recert, random_min, reasons)


def scheme_audit_time(
    scheme: Scheme,
    personnel: int,
    complexity: str | None = None,
    reduction_pct: float = 0.0,
    integrated_pct: float = 0.0,
    per_site: bool = False,
) -> AuditTime:
    """Audit time for ``scheme`` by the rule its file declares (``audit_time.method``)."""
    rule = scheme.audit_time
    if rule.method == "iaf-md5":
        table = md5_table(rule.table or "")
    elif rule.method == "personnel-table":
        base = md5_table("qms")
        rows, low = [], 1
        for high, days in rule.rows:
            rows.append(Md5Row(low, high, {"all": days}))
            low = high + 1
        table = replace(
            base, name=scheme.id, source=rule.source, columns=("all",), rows=tuple(rows)
        )
    else:
        return _fixed(scheme, reduction_pct)
    return audit_time(
        table, personnel, complexity, reduction_pct, integrated_pct, per_site=per_site
    )


def _fixed(scheme: Scheme, reduction_pct: float) -> AuditTime:
    """The days the scheme fixes per stage, summed by phase: the initial stages' for the
    initial audit, the surveillance stages' for each surveillance, the recertification
    stages' (the initial time when there are none) for a recertification."""
    rule = scheme.audit_time
    if reduction_pct:
        raise RuleViolation(
            "scheme.fixed-time",
            rule.source,
            "reduction: this scheme sets fixed days per stage",
            "减少：该方案规定了各阶段的固定人日",
        )

    def phase(name: str) -> float:
        return sum(rule.days.get(s.id, 0.0) for s in scheme.stages_in(name))

    initial, surveillance = phase("initial"), phase("surveillance")
    recert = phase("recertification") or initial
    reasons = [
        Reason(rule.source, f"{stage}: {days} days", f"{stage}：{days} 人日")
        for stage, days in rule.days.items()
    ]
    on_site = round_half_day(initial * rule.on_site_share)
    return AuditTime(initial, initial, surveillance, recert, on_site, 0.0, 8, reasons)


def random_sites(candidates: list[str], size: int, *seed_parts: object) -> list[str]:
    """The sites IAF MD 1 requires to be chosen at random: at least 25% of a sample of ``size``.

    Drawn from the sites other than the central function with a seed made of
    facts the planner cannot choose (certification, cycle, audit kind and its
    ordinal), so anyone can recompute the draw and no one can steer it.
    """
    count = min(len(candidates), math.ceil(0.25 * size))
    seed = hashlib.sha256("\x1f".join(map(str, seed_parts)).encode()).digest()
    return sorted(random.Random(seed).sample(sorted(candidates), count))
