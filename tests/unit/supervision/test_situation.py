"""The situation view: a planted cluster of warnings is found where and when it was planted,
its uniform twin shows nothing, a rising province shows its trend, and bad tables are refused
naming the field."""

import numpy as np
import pandas as pd
import pytest

from qcert.quality.spacetime import Pattern, distance_matrix
from qcert.supervision.situation import SituationInputInvalid, situation
from qcert.worldgen import cities

COORDS = {c.adcode: (c.lon, c.lat) for c in cities()}
CODES = sorted(COORDS)
MONTHS = [str(m) for m in pd.period_range("2024-01", periods=24, freq="M")]
SUZHOU = "320500"
KM = distance_matrix([COORDS[c] for c in CODES], "haversine")[CODES.index(SUZHOU)]
PLANTED = {CODES[i] for i in np.argsort(KM)[:5]}  # Suzhou and its 4 nearest, within 82 km


def warnings(plant: bool, seed: int = 3) -> pd.DataFrame:
    """Poisson(3) warnings in every bundled city and month; with ``plant``, Poisson(6) more in
    the 5 cities around Suzhou in the last 3 months. The same draws either way."""
    rng = np.random.default_rng(seed)
    base = rng.poisson(3, (len(MONTHS), len(CODES)))
    extra = rng.poisson(6, (3, len(PLANTED)))
    if plant:
        columns = [CODES.index(c) for c in sorted(PLANTED)]
        base[-3:, columns] += extra
    return pd.DataFrame(
        [
            (city, f"{city[:2]}0000", month, int(base[t, i]))
            for t, month in enumerate(MONTHS)
            for i, city in enumerate(CODES)
        ],
        columns=["city", "province", "month", "count"],
    )


@pytest.fixture(scope="module")
def planted():
    return situation(warnings(plant=True), COORDS, replications=199, seed=1)


@pytest.fixture(scope="module")
def uniform():
    return situation(warnings(plant=False), COORDS, replications=199, seed=1)


def test_the_scan_finds_the_planted_cluster_in_its_months(planted):
    (top,) = planted.significant()
    assert set(top.cities) >= PLANTED
    assert len(top.cities) <= len(PLANTED) + 2
    assert (top.start, top.end) == ("2025-10", "2025-12")
    assert top.p_value <= 0.01 and top.relative_risk > 1.5
    assert top.radius_km < 150


def test_the_planted_cities_are_hot_spots_now_and_nothing_far_away_is(planted):
    # Over 16 background seeds at least 4 of the 5 were hot spots in the last month in 15.
    hot = [c for c in planted.cities if c.city in PLANTED and c.hot_last]
    assert len(hot) >= 4
    assert all(c.pattern.value.endswith("_hot_spot") for c in hot)
    far = [c for c in planted.hot_cities() if KM[CODES.index(c.city)] > 400]
    assert not far
    assert planted.hot_cities()[0].city in PLANTED


def test_the_uniform_twin_shows_no_cluster_hot_spot_or_trend(uniform):
    # G_i* with FDR flags a chance hot spot in about 4% of null months (4,000 measured); the
    # categories read the last month first, so this twin's categories are all "none".
    assert not uniform.significant()
    assert uniform.clusters and uniform.clusters[0].p_value > 0.05
    assert {c.pattern for c in uniform.cities} == {Pattern.NONE}
    assert not uniform.hot_cities()
    assert {p.direction for p in uniform.provinces} == {"none"}


def test_the_tables_hold_every_city_and_month_and_add_up(planted):
    table = warnings(plant=True)
    assert planted.months == tuple(MONTHS)
    assert len(planted.by_city_month) == len(CODES) * len(MONTHS)
    assert planted.by_city_month["count"].sum() == table["count"].sum()
    by_province = table.groupby("province")["count"].sum()
    assert {p.province: p.total for p in planted.provinces} == by_province.to_dict()
    jiangsu = planted.by_province_month.query("province == '320000'")
    assert tuple(jiangsu["count"]) == next(
        p.monthly for p in planted.provinces if p.province == "320000"
    )
    totals = [p.total for p in planted.provinces]
    assert totals == sorted(totals, reverse=True)
    frame = planted.city_table()
    assert list(frame.columns[:4]) == ["city", "province", "lon", "lat"]
    assert set(frame.loc[frame.city == SUZHOU, "label_zh"]) <= {
        Pattern(p).label("zh-CN") for p in Pattern
    }


def _small(rows, **kwargs):
    coords = {"320500": (120.6, 31.3), "320100": (118.8, 32.1), "330100": (120.2, 30.3)}
    frame = pd.DataFrame(rows, columns=["city", "province", "month", "count", "kind"])
    return situation(frame, coords, replications=9, **kwargs)


def test_a_rising_province_shows_its_trend_and_the_flat_one_none():
    rows = [
        (city, f"{city[:2]}0000", f"2024-{m:02d}", n, "expired-certificate")
        for m in range(1, 13)
        for city, n in (("320500", 2 * m), ("320100", m), ("330100", 5))
    ]
    view = _small(rows)
    trend = {p.province: p for p in view.provinces}
    assert trend["320000"].direction == "increasing" and trend["320000"].trend.slope == 3
    assert trend["320000"].label("zh-CN") == "上升"
    assert trend["330000"].direction == "none" and trend["330000"].label() == "no significant trend"


def test_missing_months_count_zero_and_kind_filters():
    rows = [
        ("320500", "320000", "2024-01", 4, "a"),
        ("320500", "320000", "2024-04", 2, "a"),
        ("320100", "320000", "2024-02", 7, "b"),
    ]
    view = _small(rows, kind="a")
    assert view.months == ("2024-01", "2024-02", "2024-03", "2024-04")
    suzhou = next(c for c in view.cities if c.city == "320500")
    assert suzhou.monthly == (4, 0, 0, 2)
    assert next(c for c in view.cities if c.city == "320100").total == 0
    wider = _small(rows, period=("2023-11", "2024-04"))
    assert len(wider.months) == 6 and wider.provinces[0].total == 13


@pytest.mark.parametrize(
    ("field", "rows", "kwargs", "zh"),
    [
        ("city", [("110100", "110000", "2024-01", 1, "a")], {}, "缺少坐标"),
        ("province", [("320500", "330000", "2024-01", 1, "a")], {}, "不属于省份"),
        ("month", [("320500", "320000", "January", 1, "a")], {}, "不是月份"),
        ("count", [("320500", "320000", "2024-01", -1, "a")], {}, "非负整数"),
        ("count", [("320500", "320000", "2024-01", 1.5, "a")], {}, "非负整数"),
        ("period", [("320500", "320000", "2024-01", 1, "a")], {}, "至少需要 3 个月"),
        ("warnings", [("320500", "320000", "2024-01", 1, "b")], {"kind": "a"}, "没有可分析"),
    ],
)
def test_a_table_that_cannot_be_read_is_refused_naming_the_field(field, rows, kwargs, zh):
    with pytest.raises(SituationInputInvalid) as err:
        _small(rows, **kwargs)
    assert err.value.field == field and err.value.status == 422
    assert zh in err.value.zh and str(err.value).startswith(field)


def test_a_missing_column_is_refused():
    with pytest.raises(SituationInputInvalid) as err:
        situation(pd.DataFrame({"city": ["320500"]}), COORDS)
    assert err.value.field == "province"
