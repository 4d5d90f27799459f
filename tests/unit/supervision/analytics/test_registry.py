"""Each indicator's value is shown with its unit in both languages: whole days and counts
without decimals, shares as percentages, a flag as yes or no."""

from __future__ import annotations

import pytest

from qcert.locale import LOCALES, catalog
from qcert.supervision.analytics import INDICATORS
from qcert.supervision.analytics.registry import MEASURES, UNITS


def test_every_indicator_has_a_measure_with_words_in_both_catalogs():
    assert {i.measure for i in INDICATORS.values()} <= set(MEASURES)
    for measure in MEASURES:
        keys = ("yes", "no") if measure == "flag" else (measure,)
        for key in keys:
            for lang in LOCALES:
                found = catalog("supervision.analytics.registry", lang).get(key, "UNITS")
                assert found is not None and found.string, (lang, key)
    assert set(UNITS) >= set(MEASURES) - {"flag"}


@pytest.mark.parametrize(
    ("indicator", "value", "zh", "en"),
    [
        ("surveillance-gap", 491.0, "491 天", "491 days"),
        ("auditor-multiply-employed", 1.0, "1 天", "1 day"),
        ("mill-fast", 22.47, "22.5 小时", "22.5 hours"),
        ("audit-time-short", 0.55, "55%", "55%"),
        ("checkin-far", 12.345, "12.3 公里", "12.3 km"),
        ("checkin-missing", 2.0, "2 名成员", "2 members"),
        ("report-missing", 0.0, "0 次审核", "0 audits"),
        ("scope-outside", 1.0, "是", "yes"),
        ("scope-outside", 0.0, "否", "no"),
        ("auditor-lenient", 0.1234, "0.12 倍", "0.12 times"),
    ],
)
def test_a_value_is_shown_with_its_unit(indicator, value, zh, en):
    item = INDICATORS[indicator]
    assert (item.shown(value, "zh-CN"), item.shown(value, "en")) == (zh, en)
