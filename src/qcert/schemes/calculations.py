"""Calculations some schemes declare: maturity scoring and carbon footprints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import RuleViolation, SchemeError
from .model import Scheme

__all__ = ["FootprintResult", "MaturityResult", "footprint", "maturity"]


@dataclass(frozen=True)
class MaturityResult:
    score: float
    level: int
    level_title_en: str
    level_title_zh: str


def maturity(scheme: Scheme, scores: Mapping[str, float]) -> MaturityResult:
    """Weighted mean of leaf-clause scores (each in [0, 1]) and the level it reaches.

    Every leaf clause must be scored; the level is the highest whose
    ``min_score`` the weighted mean reaches (scheme ``scoring``).
    """
    if scheme.scoring is None:
        raise SchemeError(f"{scheme.id} has no maturity scoring")
    leaves = [c for c in scheme.all_clauses() if not c.clauses]
    missing = [c.id for c in leaves if c.id not in scores]
    if missing:
        raise RuleViolation(
            "scoring.complete",
            scheme.scoring.source,
            f"scores: missing clause(s) {', '.join(missing)}",
            f"评分：缺少条款 {', '.join(missing)}",
        )
    unknown = sorted(set(scores) - {c.id for c in leaves})
    if unknown:
        raise RuleViolation(
            "scoring.known",
            scheme.scoring.source,
            f"scores: unknown clause(s) {', '.join(unknown)}",
            f"评分：未知条款 {', '.join(unknown)}",
        )
    for cid, value in scores.items():
        if not 0 <= value <= 1:
            raise RuleViolation(
                "scoring.range",
                scheme.scoring.source,
                f"scores.{cid}: must be between 0 and 1",
                f"评分.{cid}：须在 0 到 1 之间",
            )
    total = sum(c.weight for c in leaves)
    score = sum(scores[c.id] * c.weight for c in leaves) / total
    reached = [lv for lv in scheme.scoring.levels if score >= lv.min_score]
    level = reached[-1] if reached else scheme.scoring.levels[0]
    return MaturityResult(round(score, 4), level.level, level.title.en, level.title.zh)


@dataclass(frozen=True)
class FootprintResult:
    """kg CO2e per functional unit, in total and by life-cycle stage."""

    total_kg_co2e: float
    by_stage: dict[str, float]
    lines: list[tuple[str, float, str, float]]


def footprint(scheme: Scheme, activity: Mapping[str, float]) -> FootprintResult:
    """Sum of activity amount times emission factor (ISO 14067 / PAS 2050 style).

    ``activity`` maps a factor id of the scheme to the amount per functional
    unit, in that factor's unit.
    """
    if scheme.footprint is None:
        raise SchemeError(f"{scheme.id} has no carbon-footprint method")
    factors = {f.id: f for f in scheme.footprint.factors}
    lines, by_stage = [], {}
    for fid, amount in activity.items():
        f = factors.get(fid)
        if f is None:
            raise RuleViolation(
                "footprint.factor",
                scheme.footprint.source,
                f"activity.{fid}: no such emission factor in {scheme.id}",
                f"活动数据.{fid}：该方案无此排放因子",
            )
        if amount < 0:
            raise RuleViolation(
                "footprint.amount",
                scheme.footprint.source,
                f"activity.{fid}: amount must not be negative",
                f"活动数据.{fid}：数量不能为负",
            )
        kg = amount * f.kg_co2e_per_unit
        lines.append((fid, amount, f.unit, kg))
        by_stage[f.stage] = by_stage.get(f.stage, 0.0) + kg
    total = sum(kg for *_, kg in lines)
    return FootprintResult(round(total, 6), {k: round(v, 6) for k, v in by_stage.items()}, lines)
