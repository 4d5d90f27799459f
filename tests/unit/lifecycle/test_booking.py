"""No auditor on two audits on overlapping days (lifecycle.booking, audit.double-booking)."""

from __future__ import annotations

from datetime import date

import pytest

from qcert.lifecycle.booking import Commitment, check_free, overlaps
from qcert.schemes import RuleViolation

TEAM = [{"auditor": "lead1", "role": "lead"}, {"auditor": "aud1", "role": "auditor"}]
D = date


def _elsewhere(start: date, end: date, who: str = "aud1") -> Commitment:
    return Commitment(who, "other-cert", "s2", start, end, "示例公司", "Example Co", "iso9001")


def test_two_audits_on_the_same_day_overlap():
    assert overlaps(D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 3))


def test_audits_on_adjacent_days_do_not_overlap():
    assert not overlaps(D(2025, 3, 3), D(2025, 3, 5), D(2025, 3, 6), D(2025, 3, 7))
    assert not overlaps(D(2025, 3, 6), D(2025, 3, 7), D(2025, 3, 3), D(2025, 3, 5))


def test_a_multi_day_audit_overlaps_one_that_starts_on_its_last_day_or_lies_inside_it():
    assert overlaps(D(2025, 3, 3), D(2025, 3, 5), D(2025, 3, 5), D(2025, 3, 9))
    assert overlaps(D(2025, 3, 1), D(2025, 3, 9), D(2025, 3, 4), D(2025, 3, 4))
    assert overlaps(D(2025, 3, 4), D(2025, 3, 4), D(2025, 3, 1), D(2025, 3, 9))


def test_an_auditor_booked_elsewhere_on_the_same_days_is_refused_naming_that_audit():
    with pytest.raises(RuleViolation) as refused:
        check_free(
            TEAM, D(2025, 3, 3), D(2025, 3, 5), [_elsewhere(D(2025, 3, 5), D(2025, 3, 6))], "c1"
        )
    err = refused.value
    assert err.rule == "audit.double-booking"
    assert err.source.startswith("ISO/IEC 17021-1:2015 9.2.2")
    assert err.en.startswith("team.1.auditor: aud1 is already on audit s2 of Example Co")
    assert "Quality management system certification" in err.en
    assert "certification other-cert" in err.en and "2025-03-05 to 2025-03-06" in err.en
    assert err.zh.startswith("审核组第 2 名成员：aud1 已在 2025-03-05 至 2025-03-06 参加示例公司")
    assert "team." not in err.zh  # the Chinese text names the member, not the English field id


def test_an_auditor_free_the_day_after_another_audit_may_be_planned():
    check_free(TEAM, D(2025, 3, 7), D(2025, 3, 8), [_elsewhere(D(2025, 3, 5), D(2025, 3, 6))], "c1")


def test_someone_elses_commitment_does_not_refuse_the_team():
    busy = [_elsewhere(D(2025, 3, 3), D(2025, 3, 3), who="stranger")]
    check_free(TEAM, D(2025, 3, 3), D(2025, 3, 3), busy, "c1")


def test_the_same_certifications_other_stage_on_the_same_day_is_no_conflict():
    # Stage 1 and stage 2 on one visit to the same client: the team is in one place.
    same = Commitment("lead1", "c1", "s1", D(2025, 3, 3), D(2025, 3, 3), "甲", "A", "iso9001")
    check_free(TEAM, D(2025, 3, 3), D(2025, 3, 4), [same], "c1")


def test_the_first_conflict_by_date_is_named():
    busy = [
        _elsewhere(D(2025, 3, 9), D(2025, 3, 9), who="lead1"),
        Commitment("lead1", "early", "sv1", D(2025, 3, 2), D(2025, 3, 4), "", "", "iso9001"),
    ]
    with pytest.raises(RuleViolation) as refused:
        check_free(TEAM, D(2025, 3, 1), D(2025, 3, 10), busy, "c1")
    assert "team.0.auditor: lead1 is already on audit sv1 of early" in refused.value.en


def test_a_completed_audit_no_longer_stands_in_the_way():
    done = Commitment("aud1", "x", "s1", D(2025, 3, 3), D(2025, 3, 3), "", "", "iso9001", True)
    check_free(TEAM, D(2025, 3, 3), D(2025, 3, 3), [done], "c1")


def test_audits_of_the_same_organisation_held_together_are_no_conflict():
    # An integrated audit (IAF MD 11): the organisation's several certifications audited at once.
    other = Commitment(
        "aud1", "x-14001", "s2", D(2025, 3, 3), D(2025, 3, 3), "", "", "", False, "c9"
    )
    check_free(TEAM, D(2025, 3, 3), D(2025, 3, 3), [other], "x-9001", "c9")
    with pytest.raises(RuleViolation):
        check_free(TEAM, D(2025, 3, 3), D(2025, 3, 3), [other], "x-9001", "c8")
