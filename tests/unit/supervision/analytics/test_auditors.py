"""Auditors: double booking, travel, registration, employment, leniency, rotation (a planted
case that fires and a clean twin that stays silent for each)."""

from datetime import date, timedelta

import pytest

from .world import World, at, clean

BEIJING = (39.90, 116.41)


def _two_bodies(second_start: date, second_body: str = "B2") -> tuple[World, int, int]:
    w = clean()
    if second_body != "B1":
        w.body(second_body)
    w.org("O2")
    first = w.audit("C1", "special", date(2025, 3, 3), 3)
    second = w.audit("C2", "special", second_start, 2, body=second_body, org="O2")
    return w, first, second


def test_an_auditor_on_two_bodies_audits_the_same_days_is_double_booked(run):
    w, first, second = _two_bodies(date(2025, 3, 5))
    rows = run(w, "auditor-double-booked")
    assert rows.entity_id.tolist() == ["A1"]
    assert rows.value.tolist() == [1.0]  # 5 March in both
    assert list(rows.evidence[0]) == [str(first), str(second)]
    assert rows.body_id.tolist() == ["B2"]


def test_back_to_back_audits_of_two_bodies_are_not_double_booked(run):
    w, _, _ = _two_bodies(date(2025, 3, 6))
    assert run(w, "auditor-double-booked").empty


def test_overlapping_audits_of_one_body_are_not_this_indicator(run):
    w, _, _ = _two_bodies(date(2025, 3, 5), second_body="B1")
    assert run(w, "auditor-double-booked").empty


def _trip(hours: float) -> World:
    w = clean()
    day = date(2025, 3, 3)
    first = w.audit("C1", "special", day, 1, checks=False)
    second = w.audit("C1", "special", day + timedelta(days=1), 1, checks=False, site=BEIJING)
    w.checkin(first, "A1", "in", at(day, 0))
    w.checkin(first, "A1", "out", at(day, 8))
    leave = at(day, 8) + timedelta(hours=hours)
    w.checkin(second, "A1", "in", leave, BEIJING)
    w.checkin(second, "A1", "out", leave + timedelta(hours=8), BEIJING)
    return w


def test_shanghai_to_beijing_in_two_hours_is_impossible(run):
    rows = run(_trip(2.0), "auditor-impossible-travel")
    assert rows.entity_id.tolist() == ["A1"]
    assert rows.value[0] == pytest.approx(1067 / 2, rel=0.01)  # 1,067 km great circle


def test_shanghai_to_beijing_in_five_hours_is_possible(run):
    assert run(_trip(5.0), "auditor-impossible-travel").empty


@pytest.mark.parametrize(("registered", "fires"), [(False, True), (True, False)])
def test_an_unregistered_team_member(run, registered, fires):
    w = clean()
    w.auditor("A9", registered=registered)
    audit = w.audit("C1", "special", date(2025, 3, 3), 1, team=(("A1", "lead"), ("A9", "auditor")))
    rows = run(w, "auditor-unregistered")
    assert rows.entity_id.tolist() == (["A9"] if fires else [])
    if fires:
        assert list(rows.evidence[0]) == [str(audit)]


def test_a_technical_expert_needs_no_registration(run):
    w = clean()
    w.audit("C1", "special", date(2025, 3, 3), 1, team=(("A1", "lead"), ("X1", "technical-expert")))
    assert run(w, "auditor-unregistered").empty


@pytest.mark.parametrize(("since", "fires"), [(date(2020, 1, 1), True), (date(2021, 1, 1), False)])
def test_an_auditor_employed_by_two_bodies_at_once(run, since, fires):
    w = World()
    w.body("B1")
    w.body("B2")
    w.auditor("A1", "B1", until=date(2020, 12, 31))
    w.add("auditor_employments", registration_id="A1", body_id="B2", since=since)
    rows = run(w, "auditor-multiply-employed")
    assert rows.entity_id.tolist() == (["A1"] if fires else [])
    if fires:
        assert rows.value[0] == 366.0  # all of 2020
        assert list(rows.evidence[0]) == ["B1", "B2"]


def _leaders(planted_rate: float) -> World:
    w = World()
    w.body("B1")
    rates = [2.0, 1.8, 2.2, 2.0, 1.9, 2.1, 2.0, 2.3, planted_rate]
    for i, rate in enumerate(rates):
        lead, cert = f"L{i}", f"C{i}"
        w.auditor(lead)
        w.org(f"O{i}")
        w.certificate(cert, org=f"O{i}", issued_on=date(2023, 1, 9))
        for k in range(20):
            findings = round(rate * (k + 1)) - round(rate * k)
            start = date(2023, 1, 2) + timedelta(days=7 * k)
            w.audit(
                cert,
                "surveillance",
                start,
                1,
                org=f"O{i}",
                team=((lead, "lead"),),
                findings=(0, findings),
            )
    return w


def test_a_leader_finding_nothing_where_peers_find_two_per_audit_is_lenient(run):
    # Expected from the sector's rate (about 1.8 per audit); peers' ratios about 1.1.
    rows = run(_leaders(0.0), "auditor-lenient")
    assert rows.entity_id.tolist() == ["L8"]
    assert rows.value[0] == 0.0
    assert list(rows.evidence[0]) == ["L8"]


def test_a_leader_finding_like_the_peers_is_not_lenient(run):
    assert run(_leaders(1.7), "auditor-lenient").empty


def _cycles(leaders: list[str]) -> World:
    """A certificate audited through four cycles, each led by the given auditor."""
    w = World()
    w.body("B1")
    for lead in set(leaders):
        w.auditor(lead)
    w.org("O1")
    w.certificate("C1", issued_on=date(2013, 3, 1), expires_on=date(2028, 2, 28))
    for cycle, lead in enumerate(leaders):
        start = date(2013 + 3 * cycle, 2, 4)
        kind = "stage2" if cycle == 0 else "recertification"
        w.audit("C1", kind, start, 2, team=((lead, "lead"),))
        other = f"S{cycle}"
        w.auditor(other)
        w.audit("C1", "surveillance", start + timedelta(days=364), 1, team=((other, "lead"),))
    return w


def test_one_leader_for_four_consecutive_cycles_fires(run):
    rows = run(_cycles(["A1", "A1", "A1", "A1"]), "auditor-same-client")
    assert rows.entity_id.tolist() == ["A1"]
    assert rows.value.tolist() == [4.0]
    assert list(rows.evidence[0]) == ["C1"]


def test_a_leader_rotated_out_after_three_cycles_is_silent(run):
    assert run(_cycles(["A1", "A1", "A1", "A2"]), "auditor-same-client").empty
