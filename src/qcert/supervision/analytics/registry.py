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

from .tables import HubTables

__all__ = ["ENTITIES", "INDICATORS", "Indicator", "indicator", "page"]

ENTITIES = ("audit", "auditor", "body", "certificate", "organisation", "report")
Build = Callable[[HubTables, date], ir.Table]


@dataclass(frozen=True)
class Indicator:
    """One risk indicator.

    ``direction`` says which side of ``threshold`` fires (``above``: value > threshold;
    ``below``: value < threshold); ``unit`` is the value's unit; ``rule`` and ``rule_zh`` say
    in words when it fires; ``source`` cites the standard, policy or figure behind the
    threshold. A ``peer_relative`` indicator's threshold is per row (the peers' bound), and its
    ``threshold`` here is the number of scaled MADs.
    """

    id: str
    zh: str
    en: str
    entity: str
    inputs: tuple[str, ...]
    threshold: float
    direction: Literal["above", "below"]
    unit: str
    rule: str
    rule_zh: str
    source: str
    build: Build
    peer_relative: bool = False

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
