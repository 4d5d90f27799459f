"""The situation view (态势感知): where and when warnings cluster, by province and by city.

国市监认证发〔2025〕72号 (十二) asks for supervision that perceives the whole situation and
judges trends (态势全面感知、趋势智能研判). From a table of warnings per city and month this
gives, for a page to render:

- per province: monthly counts and the Mann-Kendall trend with Sen's slope, read after
  Benjamini-Hochberg control over the provinces;
- per city: monthly counts and its emerging hot spot category (Getis-Ord G_i* per month with
  Benjamini-Hochberg control, the Mann-Kendall trend of its z-scores, Esri's categories);
- the clusters of Kulldorff's prospective space-time permutation scan, each with its cities,
  months, observed and expected counts and Monte Carlo p-value.

The statistics are those of ``qcert.quality.spacetime``; see each function there for its
source. Counts are taken as given (not divided by the number of certified organisations of a
city): G_i* then finds where many warnings are, while the permutation scan, whose expected
counts come from each city's and each month's totals, finds where warnings rose more than
elsewhere, whatever the cities' sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import QcertError
from ..locale.names import field_label
from ..quality.spacetime import (
    MannKendall,
    Pattern,
    benjamini_hochberg,
    distance_band,
    emerging_hot_spots,
    k_nearest,
    mann_kendall,
    space_time_permutation_scan,
)

__all__ = [
    "COLUMNS",
    "CitySituation",
    "ProvinceTrend",
    "Situation",
    "SituationInputInvalid",
    "SpaceTimeCluster",
    "situation",
]

COLUMNS = ("city", "province", "month", "count")
Direction = Literal["increasing", "decreasing", "none"]
_DIRECTION_ZH = {"increasing": "上升", "decreasing": "下降", "none": "无显著趋势"}


class SituationInputInvalid(QcertError):
    """A warnings table or parameter the situation view cannot use; names the field."""

    status = 422

    def __init__(self, field: str, en: str, zh: str) -> None:
        self.field, self.en, self.zh = field, en, f"{field_label(field)}：{zh}"
        super().__init__(f"{field}: {en} / {field_label(field)}：{zh}")


@dataclass(frozen=True)
class ProvinceTrend:
    """A province (GB/T 2260 code): its warnings per month (``Situation.months``), their total
    and the Mann-Kendall test of the monthly counts (Sen's slope in warnings per month).

    ``q``: the trend's p-value adjusted by Benjamini-Hochberg over all provinces shown, since
    31 tests at 5% would report one or two trends by chance alone; ``direction`` is read from
    ``q`` at the view's ``alpha``.
    """

    province: str
    total: int
    monthly: tuple[int, ...]
    trend: MannKendall
    q: float
    direction: Direction

    def label(self, lang: str = "en") -> str:
        """The trend's direction for people, in ``en`` or ``zh-CN``."""
        if lang == "en":
            return "no significant trend" if self.direction == "none" else self.direction
        return _DIRECTION_ZH[self.direction]


@dataclass(frozen=True)
class CitySituation:
    """A city (GB/T 2260 code) and its province: warnings per month and in all, its emerging
    hot spot ``pattern``, the G_i* z-score of the last month and whether it is a significant
    hot spot then, and the Mann-Kendall trend of its z-scores."""

    city: str
    province: str
    lon: float
    lat: float
    total: int
    monthly: tuple[int, ...]
    pattern: Pattern
    z_last: float
    hot_last: bool
    trend: MannKendall


@dataclass(frozen=True)
class SpaceTimeCluster:
    """A scan cluster: its ``cities`` (the centre first, the others by distance), ``radius_km``,
    first and last month, warnings observed and expected inside, their ratio, the log
    likelihood ratio and its Monte Carlo ``p_value``."""

    cities: tuple[str, ...]
    radius_km: float
    start: str
    end: str
    observed: int
    expected: float
    relative_risk: float
    llr: float
    p_value: float


@dataclass(frozen=True, eq=False)
class Situation:
    """The situation view. ``months`` ('YYYY-MM', oldest first) index every ``monthly`` tuple;
    ``provinces`` by decreasing total; ``cities`` by code; ``clusters`` by decreasing LLR
    (read ``significant()``); ``by_province_month`` and ``by_city_month``: long tables
    (province or city, month, count) with every month of every location, zeros included."""

    months: tuple[str, ...]
    provinces: tuple[ProvinceTrend, ...]
    cities: tuple[CitySituation, ...]
    clusters: tuple[SpaceTimeCluster, ...]
    alpha: float
    by_province_month: pd.DataFrame
    by_city_month: pd.DataFrame

    def significant(self) -> tuple[SpaceTimeCluster, ...]:
        """The scan clusters whose p-value is at most ``alpha``."""
        return tuple(c for c in self.clusters if c.p_value <= self.alpha)

    def hot_cities(self) -> tuple[CitySituation, ...]:
        """Cities in any hot spot category, by decreasing last-month z-score."""
        hot = [c for c in self.cities if c.pattern.value.endswith("_hot_spot")]
        return tuple(sorted(hot, key=lambda c: -c.z_last))

    def city_table(self) -> pd.DataFrame:
        """One row per city for a map: code, province, coordinates, total, category (code and
        labels in both languages), last-month z-score and hot flag."""
        return pd.DataFrame(
            [
                {
                    "city": c.city,
                    "province": c.province,
                    "lon": c.lon,
                    "lat": c.lat,
                    "total": c.total,
                    "pattern": c.pattern.value,
                    "label_en": c.pattern.label("en"),
                    "label_zh": c.pattern.label("zh-CN"),
                    "z_last": c.z_last,
                    "hot_last": c.hot_last,
                }
                for c in self.cities
            ]
        )


def _months(values: pd.Series) -> pd.Series:
    """Each value as a monthly period: 'YYYY-MM', or a date or timestamp within the month."""
    text = values.astype(str)
    bad = ~text.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-\d{2}([ T].*)?)?")
    if bad.any():
        row = bad.idxmax()
        raise SituationInputInvalid(
            "month",
            f"row {row}: {values[row]!r} is not a month (YYYY-MM)",
            f"第 {row} 行：{values[row]!r} 不是月份（YYYY-MM）",
        )
    return pd.PeriodIndex(text.str[:7], freq="M").to_series(index=values.index)


def _table(
    warnings: pd.DataFrame, coordinates: Mapping[str, tuple[float, float]], kind: str | None
) -> pd.DataFrame:
    """The warnings checked and normalised: city, province, month (Period), count (int)."""
    for name in (*COLUMNS, *(("kind",) if kind is not None else ())):
        if name not in warnings.columns:
            raise SituationInputInvalid(
                name, "no such column in the warnings table", "预警表中没有该列"
            )
    frame = warnings if kind is None else warnings[warnings["kind"] == kind]
    frame = frame.assign(city=frame["city"].astype(str), province=frame["province"].astype(str))
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        row = bad.idxmax()
        raise SituationInputInvalid(
            "count", f"row {row}: must be a whole number >= 0", f"第 {row} 行：须为非负整数"
        )
    unknown = sorted(set(frame["city"]) - set(coordinates))
    if unknown:
        raise SituationInputInvalid(
            "city", f"{unknown[0]} has no coordinates", f"{unknown[0]} 缺少坐标"
        )
    mismatch = frame["city"].str[:2] != frame["province"].str[:2]
    if mismatch.any():
        row = mismatch.idxmax()
        raise SituationInputInvalid(
            "province",
            f"row {row}: city {frame.at[row, 'city']} is not in province "
            f"{frame.at[row, 'province']} (GB/T 2260: the first two digits)",
            f"第 {row} 行：城市 {frame.at[row, 'city']} 不属于省份 {frame.at[row, 'province']}",
        )
    return frame.assign(month=_months(frame["month"]), count=counts.astype(np.int64))


def _direction(s: int, q: float, alpha: float) -> Direction:
    if q > alpha or s == 0:
        return "none"
    return "increasing" if s > 0 else "decreasing"


def _weights(lonlat: np.ndarray, neighbours: int, distance_km: float | None) -> np.ndarray:
    if distance_km is not None:
        return distance_band(lonlat, distance_km, metric="haversine")
    return k_nearest(lonlat, min(neighbours, len(lonlat) - 1), metric="haversine")


def situation(
    warnings: pd.DataFrame,
    coordinates: Mapping[str, tuple[float, float]],
    *,
    kind: str | None = None,
    period: tuple[str, str] | None = None,
    neighbours: int = 8,
    distance_km: float | None = None,
    alpha: float = 0.05,
    max_fraction: float = 0.1,
    max_duration: int | None = None,
    replications: int = 999,
    seed: int = 0,
) -> Situation:
    """The situation view of ``warnings`` over the cities of ``coordinates``.

    ``warnings``: one row per city and month with columns ``city`` and ``province`` (GB/T 2260
    codes), ``month`` ('YYYY-MM', a date or a period), ``count`` (warnings, whole numbers)
    and, to filter with ``kind``, ``kind``; rows of one city and month are added up.
    ``coordinates``: city code -> (longitude, latitude) in degrees, for every city to show
    (a city without warnings counts 0 each month); ``qcert.worldgen.cities()`` holds 126
    prefecture-level centres. ``period``: first and last month (default: those of the
    table; at least 3 months). G_i* neighbourhoods: each city's ``neighbours`` nearest cities,
    or all within ``distance_km`` (great-circle km); significance at ``alpha`` after FDR.
    The scan: circles of up to ``max_fraction`` of the cities, windows of up to
    ``max_duration`` months ending with the last one (prospective; default half the months),
    ``replications`` permutations drawn from ``seed``.
    """
    if len(coordinates) < 3:
        raise SituationInputInvalid(
            "coordinates", "at least 3 cities are needed", "至少需要 3 个城市"
        )
    table = _table(warnings, coordinates, kind)
    if period is not None:
        first, last = (pd.Period(p, freq="M") for p in period)
    elif table.empty:
        raise SituationInputInvalid("warnings", "no rows to analyse", "没有可分析的数据")
    else:
        first, last = table["month"].min(), table["month"].max()
    months = pd.period_range(first, last, freq="M")
    if len(months) < 3:
        raise SituationInputInvalid(
            "period", "at least 3 months are needed for a trend", "趋势分析至少需要 3 个月"
        )
    table = table[(table["month"] >= first) & (table["month"] <= last)]
    cities = sorted(coordinates)
    cube = (
        table.pivot_table(index="month", columns="city", values="count", aggfunc="sum")
        .reindex(index=months, columns=cities)
        .fillna(0)
        .astype(np.int64)
    )
    counts = cube.to_numpy()
    lonlat = np.array([coordinates[c] for c in cities], dtype=float)
    labels = tuple(str(m) for m in months)
    province_of = {c: f"{c[:2]}0000" for c in cities}
    by_province = cube.T.groupby(pd.Series(province_of)).sum().T  # months x provinces
    trends = [mann_kendall(by_province[code].to_numpy()) for code in by_province.columns]
    q = benjamini_hochberg([t.p for t in trends])
    provinces = [
        ProvinceTrend(
            province=code,
            total=int(by_province[code].sum()),
            monthly=tuple(int(x) for x in by_province[code]),
            trend=trend,
            q=float(q_i),
            direction=_direction(trend.s, q_i, alpha),
        )
        for code, trend, q_i in zip(by_province.columns, trends, q, strict=True)
    ]
    provinces.sort(key=lambda p: (-p.total, p.province))
    emerging = emerging_hot_spots(counts, _weights(lonlat, neighbours, distance_km), alpha=alpha)
    city_rows = tuple(
        CitySituation(
            city=c,
            province=province_of[c],
            lon=float(lonlat[i, 0]),
            lat=float(lonlat[i, 1]),
            total=int(counts[:, i].sum()),
            monthly=tuple(int(x) for x in counts[:, i]),
            pattern=emerging.patterns[i],
            z_last=float(emerging.hot_spots.z[-1, i]),
            hot_last=bool(emerging.hot_spots.hot[-1, i]),
            trend=emerging.trends[i],
        )
        for i, c in enumerate(cities)
    )
    clusters: tuple[SpaceTimeCluster, ...] = ()
    if counts.sum() >= 2:
        scan = space_time_permutation_scan(
            counts,
            lonlat,
            metric="haversine",
            max_fraction=max_fraction,
            max_duration=max_duration,
            replications=replications,
            seed=seed,
        )
        clusters = tuple(
            SpaceTimeCluster(
                cities=tuple(cities[i] for i in c.locations),
                radius_km=c.radius,
                start=labels[c.start],
                end=labels[c.end],
                observed=c.observed,
                expected=c.expected,
                relative_risk=c.relative_risk,
                llr=c.llr,
                p_value=c.p_value,
            )
            for c in scan.clusters
        )
    return Situation(
        months=labels,
        provinces=tuple(provinces),
        cities=city_rows,
        clusters=clusters,
        alpha=alpha,
        by_province_month=_long(by_province, "province", labels),
        by_city_month=_long(cube, "city", labels).assign(
            province=lambda f: f["city"].map(province_of)
        ),
    )


def _long(wide: pd.DataFrame, name: str, labels: tuple[str, ...]) -> pd.DataFrame:
    """(months x locations) as rows of (location, month, count), location then month order."""
    frame = wide.set_axis(list(labels), axis=0).rename_axis(index="month", columns=name)
    out = frame.stack().rename("count").reset_index()
    return out[[name, "month", "count"]].sort_values([name, "month"], ignore_index=True)
