"""IAF MD 5 audit time and IAF MD 1 sampling: golden values from the primary sources."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcert.schemes import (
    RuleViolation,
    audit_time,
    get,
    md5_table,
    round_half_day,
    sample_sizes,
    scheme_audit_time,
)

QMS = md5_table("qms")


@pytest.mark.parametrize(
    ("personnel", "days"),
    [(1, 1.5), (5, 1.5), (6, 2), (55, 5), (65, 5), (66, 6), (8501, 22), (10700, 22)],
)
def test_qms_table_golden_values(personnel, days):
    assert audit_time(QMS, personnel).initial_days == days


def test_rounding_to_the_nearest_half_day():
    assert round_half_day(5.3) == 5.5
    assert round_half_day(5.2) == 5.0
    assert round_half_day(5.25) == 5.5
    assert round_half_day(5.75) == 6.0


def test_thirty_percent_cap_refuses_a_35_percent_reduction():
    with pytest.raises(RuleViolation) as err:
        audit_time(QMS, 55, reduction_pct=35)
    assert err.value.rule == "md5.reduction-cap"
    assert err.value.source == "IAF MD 5:2019 3.9"
    assert "35% exceeds the 30% cap" in err.value.en
    assert "上限 30%" in err.value.zh


def test_integrated_audit_cap_is_20_percent():
    with pytest.raises(RuleViolation, match="20% cap"):
        audit_time(QMS, 55, integrated_pct=25)


def test_md5_then_md11_reductions_apply_in_turn():
    result = audit_time(QMS, 100, reduction_pct=30, integrated_pct=20)  # 7 days in the table
    assert result.reduction_pct == 44.0
    assert result.initial_days == 4.0


def test_rounding_never_carries_a_reduction_past_its_cap():
    # EMS high, 100 persons: 11 days; 30% off is 7.7, which rounds to 7.5 (31.8% off).
    result = audit_time(md5_table("ems"), 100, "high", reduction_pct=30)
    assert result.initial_days == 8.0


def test_surveillance_and_recertification_are_a_third_and_two_thirds():
    result = audit_time(QMS, 55)  # 5 days
    assert (result.surveillance_days, result.recertification_days) == (1.5, 3.5)
    assert result.on_site_min_days == 4.0
    assert result.hours_per_day == 8


def test_complexity_is_required_for_ems_and_refused_for_qms():
    assert audit_time(md5_table("ems"), 30, "limited").initial_days == 3
    assert audit_time(md5_table("ohs"), 30, "high").initial_days == 7
    with pytest.raises(RuleViolation, match="complexity: must be one of high, medium, low"):
        audit_time(md5_table("ohs"), 30, "limited")
    with pytest.raises(RuleViolation, match="no complexity"):
        audit_time(QMS, 30, "high")


def test_personnel_beyond_the_table_is_refused_with_the_reason():
    with pytest.raises(RuleViolation, match="beyond the table"):
        audit_time(QMS, 10701)
    with pytest.raises(RuleViolation, match="at least 1"):
        audit_time(QMS, 0)


def test_justification_names_the_table_row_and_rules():
    reasons = audit_time(QMS, 55).reasons
    assert reasons[0].rule == "IAF MD 5:2019 Table QMS 1"
    assert "46-65" in reasons[0].en and "46-65" in reasons[0].zh


@given(st.integers(1, 10700), st.floats(0, 30), st.floats(0, 20))
def test_no_combination_goes_past_the_caps(personnel, md5, md11):
    result = audit_time(QMS, personnel, reduction_pct=md5, integrated_pct=md11)
    assert result.initial_days >= result.table_days * 0.7 * 0.8 - 1e-9
    assert result.initial_days * 2 == int(result.initial_days * 2)
    assert result.surveillance_days <= result.recertification_days <= result.initial_days


def test_md1_two_sites_give_2_1_1_2():
    assert sample_sizes(2).cycle() == [2, 1, 1, 2]


@pytest.mark.parametrize(
    ("sites", "initial", "surveillance", "recert"),
    [(1, 1, 1, 1), (4, 2, 2, 2), (26, 6, 4, 5), (100, 10, 6, 8)],
)
def test_md1_formulas_round_up(sites, initial, surveillance, recert):
    s = sample_sizes(sites)
    assert (s.initial, s.surveillance, s.recertification) == (initial, surveillance, recert)
    assert s.random_min["initial"] >= 0.25 * initial


def test_schemes_use_their_declared_rule():
    assert scheme_audit_time(get("iso9001"), 55).initial_days == 5
    assert scheme_audit_time(get("iso14001"), 55, "medium").initial_days == 6
    assert scheme_audit_time(get("iso27001"), 55).initial_days == 10
    product = scheme_audit_time(get("product"), 55)
    assert (product.initial_days, product.surveillance_days) == (2, 1)
    with pytest.raises(RuleViolation, match="fixed days"):
        scheme_audit_time(get("product"), 55, reduction_pct=10)
