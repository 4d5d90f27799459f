"""The registry of risk indicators: each one's id, names, inputs, threshold and source.

An indicator is a function from the hub's tables and a scan day to rows of the common shape
(:data:`qcert.supervision.analytics._common.ROW`): one row per entity and occasion on which it
fires, never a row where it stays silent. It is written once, as ibis expressions, and runs on
whichever backend holds the tables (DuckDB in process, Spark at scale).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis.expr.types as ir

from ...locale import messages as from_catalogs
from .tables import HubTables

__all__ = ["ENTITIES", "INDICATORS", "MEASURES", "Indicator", "indicator", "page"]

ENTITIES = ("audit", "auditor", "body", "certificate", "organisation", "report")
Build = Callable[[HubTables, date], ir.Table]
# "name.<id>" and "rule.<id>" -> (zh-CN, en): each indicator's name and when it fires.
MESSAGES = from_catalogs(__name__)
# "<measure>" (and "<measure>.one" where English says one of it otherwise) -> (zh-CN, en):
# a value with its unit, ``{n}`` the number; "yes" and "no" for a flag.
UNITS = from_catalogs(__name__, "UNITS")
# Each measure a value is shown in: the decimals its numbers keep at most (a whole number
# keeps none), and whether it is a share written as a percentage.
MEASURES: dict[str, int] = {
    "days": 1,
    "hours": 1,
    "km": 1,
    "km/h": 0,
    "share": 1,
    "ratio": 2,
    "per-auditor-day": 2,
    "audits": 0,
    "members": 0,
    "cycles": 0,
    "schemes": 0,
    "revisions": 0,
    "lookups": 0,
    "flag": 0,
}


def _number(value: float, decimals: int) -> str:
    # A count or a whole day reads 491, never 491.00; a fraction keeps what it needs.
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Indicator:
    """One risk indicator.

    ``direction`` says which side of ``threshold`` fires (``above``: value > threshold;
    ``below``: value < threshold); ``unit`` is the value's unit in full and ``measure`` the
    unit the pages show beside it (a key of :data:`MEASURES`); ``source`` cites the
    standard, policy or figure behind the threshold. A ``peer_relative`` indicator's
    threshold is per row (the peers' bound), and its ``threshold`` here is the number of scaled
    MADs. Its name (``zh``, ``en``) and when it fires in words (``rule_zh``, ``rule``) are in
    the catalogs, keyed by its id (``name.<id>``, ``rule.<id>``).
    """

    id: str
    entity: str
    inputs: tuple[str, ...]
    threshold: float
    direction: Literal["above", "below"]
    unit: str
    measure: str
    source: str
    build: Build
    peer_relative: bool = False

    @property
    def zh(self) -> str:
        """The indicator's name in zh-CN."""
        return MESSAGES[f"name.{self.id}"][0]

    @property
    def en(self) -> str:
        """The indicator's name in en."""
        return MESSAGES[f"name.{self.id}"][1]

    @property
    def rule_zh(self) -> str:
        """When it fires, in zh-CN."""
        return MESSAGES[f"rule.{self.id}"][0]

    @property
    def rule(self) -> str:
        """When it fires, in en."""
        return MESSAGES[f"rule.{self.id}"][1]

    def shown(self, value: float, lang: str) -> str:
        """``value`` (a row's value or threshold) with its unit, in ``lang``: ``491 天``,
        ``22.5 hours``, ``55%``, ``是``."""
        pick = 0 if lang == "zh-CN" else 1
        if self.measure == "flag":
            return UNITS["yes" if value >= 1 else "no"][pick]
        if self.measure == "share":
            return _number(100 * value, MEASURES["share"]) + "%"
        n = _number(value, 0 if float(value).is_integer() else MEASURES[self.measure])
        key = f"{self.measure}.one" if n == "1" and f"{self.measure}.one" in UNITS else None
        return UNITS[key or self.measure][pick].format(n=n)

    def __call__(self, tables: HubTables, as_of: date) -> ir.Table:
        """The rows where this indicator fires, for a scan on ``as_of``."""
        return self.build(tables, as_of)


INDICATORS: dict[str, Indicator] = {}


def indicator(**spec: object) -> Callable[[Build], Build]:
    """Register the decorated function as an indicator described by ``spec``."""

    def register(build: Build) -> Build:
        found = Indicator(build=build, **spec)  # type: ignore[arg-type]
        if found.id in INDICATORS:
            raise ValueError(f"indicator id {found.id!r} registered twice")
        if f"name.{found.id}" not in MESSAGES or f"rule.{found.id}" not in MESSAGES:
            raise ValueError(f"indicator {found.id}: no name or rule in the catalogs")
        if found.measure not in MEASURES:
            raise ValueError(f"indicator {found.id}: measure {found.measure!r} unknown")
        if found.entity not in ENTITIES:
            raise ValueError(f"indicator {found.id}: entity {found.entity!r} unknown")
        INDICATORS[found.id] = found
        return build

    return register


def page(item: Indicator) -> str:
    """The indicator's documentation page (docs/indicators/<id>.md), in both languages."""
    sign = ">" if item.direction == "above" else "<"
    fires = f"value {sign} {item.threshold:g} ({item.unit})"
    if item.peer_relative:
        side = "above" if item.direction == "above" else "below"
        fires = (
            f"value ({item.unit}) more than {item.threshold:g} scaled MADs {side} the peers' "
            "median (the row's threshold is that bound)"
        )
    return "\n".join(
        [
            f"# `{item.id}`: {item.en} / {item.zh}",
            "",
            f"- Entity / 对象: {item.entity}",
            f"- Inputs / 输入: {', '.join(f'`{name}`' for name in item.inputs)}",
            f"- Fires when / 触发条件: {fires}",
            f"- Rule: {item.rule}",
            f"- 规则：{item.rule_zh}",
            f"- Source / 依据: {item.source}",
            "",
            "Generated from `qcert.supervision.analytics` (`INDICATORS`); regenerate with",
            "`python -m qcert.supervision.analytics.docs`.",
            "",
        ]
    )
