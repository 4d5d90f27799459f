"""Reference tables as data (IAF MD 5, sector codes, audit methods), each with its source."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ._yaml import SAFE_LOADER
from .errors import RuleViolation, SchemeError

__all__ = [
    "AuditMethod",
    "Md5Row",
    "Md5Table",
    "ReductionCaps",
    "Sector",
    "audit_methods",
    "md5_table",
    "sectors",
]


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("reference", name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)
    if not isinstance(data, dict) or "source" not in data:
        raise SchemeError(f"reference table {name} has no source")
    return data


@dataclass(frozen=True)
class ReductionCaps:
    """Largest reductions the IAF documents allow, in percent, never stacked past."""

    md5_pct: float
    md5_source: str
    md1_site_pct: float
    md1_source: str
    md11_pct: float
    md11_source: str


@dataclass(frozen=True)
class Md5Row:
    low: int
    high: int | None
    days: dict[str, float]

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}" if self.high else f">{self.low - 1}"


@dataclass(frozen=True)
class Md5Table:
    """One IAF MD 5 table: effective personnel to initial audit days, by complexity."""

    name: str
    source: str
    columns: tuple[str, ...]
    rows: tuple[Md5Row, ...]
    caps: ReductionCaps
    surveillance_fraction: float
    recertification_fraction: float
    on_site_min_share: float
    hours_per_day: int
    rounding_source: str
    on_site_source: str
    cycle_source: str

    def column(self, complexity: str | None) -> str:
        """The column for ``complexity``; tables with one column take none."""
        if self.columns == ("all",):
            if complexity not in (None, "all"):
                raise RuleViolation(
                    "md5.complexity",
                    self.source,
                    f"complexity: table {self.name} has no complexity categories",
                    f"复杂程度：{self.name} 表不区分复杂程度",
                )
            return "all"
        if complexity not in self.columns:
            raise RuleViolation(
                "md5.complexity",
                self.source,
                f"complexity: must be one of {', '.join(self.columns)}",
                f"复杂程度：须为 {', '.join(self.columns)} 之一",
            )
        return complexity

    def row_for(self, personnel: int) -> Md5Row:
        """The row covering ``personnel`` effective persons."""
        for row in self.rows:
            if row.low <= personnel and (row.high is None or personnel <= row.high):
                return row
        last = self.rows[-1]
        raise RuleViolation(
            "md5.beyond-table",
            self.source,
            f"personnel: {personnel} is beyond the table (last row {last.label}); "
            "MD 5 asks the body to follow the table's progression and justify it",
            f"人数：{personnel} 超出表格范围（最后一档 {last.label}），应按表格规律推算并说明理由",
        )


@cache
def _md5() -> dict[str, Any]:
    return _load("iaf_md5.yaml")


@cache
def md5_table(name: str) -> Md5Table:
    """The IAF MD 5 table ``qms``, ``ems`` or ``ohs``."""
    data = _md5()
    tables = data["tables"]
    if name not in tables:
        raise SchemeError(f"no IAF MD 5 table {name!r}; have {', '.join(tables)}")
    t = tables[name]
    columns = tuple(t["columns"])
    rows = tuple(
        Md5Row(
            int(r[0]),
            int(r[1]) if r[1] is not None else None,
            dict(zip(columns, r[2:], strict=True)),
        )
        for r in t["rows"]
    )
    caps = data["caps"]
    rules = data["rules"]
    return Md5Table(
        name=name,
        source=f"{data['source']['document']} {t['table']}",
        columns=columns,
        rows=rows,
        caps=ReductionCaps(
            md5_pct=caps["md5"]["pct"],
            md5_source=caps["md5"]["source"],
            md1_site_pct=caps["md1_site"]["pct"],
            md1_source=caps["md1_site"]["source"],
            md11_pct=caps["md11"]["pct"],
            md11_source=caps["md11"]["source"],
        ),
        surveillance_fraction=rules["surveillance_fraction"]["value"],
        recertification_fraction=rules["recertification_fraction"]["value"],
        on_site_min_share=rules["on_site_min_share"]["value"],
        hours_per_day=rules["hours_per_day"]["value"],
        rounding_source=rules["rounding"]["source"],
        on_site_source=rules["on_site_min_share"]["source"],
        cycle_source=rules["surveillance_fraction"]["source"],
    )


@dataclass(frozen=True)
class Sector:
    code: int
    en: str
    zh: str
    nace: str


@cache
def sectors() -> dict[int, Sector]:
    """The 39 IAF sector codes (IAF ID 1)."""
    data = _load("iaf_sectors.yaml")
    return {
        int(s["code"]): Sector(int(s["code"]), s["en"], s["zh-CN"], s.get("nace", ""))
        for s in data["sectors"]
    }


@dataclass(frozen=True)
class AuditMethod:
    code: str
    en: str
    zh: str


@cache
def audit_methods() -> dict[str, AuditMethod]:
    """Audit method codes: FS01 on site, FS02 remote, FS03 combined."""
    data = _load("audit_methods.yaml")
    return {m["code"]: AuditMethod(m["code"], m["en"], m["zh-CN"]) for m in data["methods"]}
