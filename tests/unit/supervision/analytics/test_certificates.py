"""Certificates: scope, mill signals, surveillance and follow-up (a planted case that fires and a
clean twin that stays silent for each)."""

from datetime import date, datetime, timedelta

import pytest

from .world import World, clean


@pytest.mark.parametrize(("sector", "fires"), [("28", True), ("29", False)])
def test_a_certificate_outside_the_bodys_sectors(run, sector, fires):
    w = World()
    w.body("B1")  # QMS in sector 29
    w.org("O1")
    w.certificate("C1", issued_on=date(2024, 5, 6), sector=sector)
    rows = run(w, "scope-outside")
    assert rows.entity_id.tolist() == (["C1"] if fires else [])


@pytest.mark.parametrize(
    ("revoked", "fires"), [(date(2024, 5, 6), True), (date(2024, 5, 7), False)]
)
def test_a_certificate_issued_once_the_scope_was_revoked(run, revoked, fires):
    w = World()
    w.body("B1")
    w.rows["body_scopes"][0]["revoked_on"] = revoked
    w.org("O1")
    w.certificate("C1", issued_on=date(2024, 5, 6))
    assert len(run(w, "scope-outside")) == int(fires)


@pytest.mark.parametrize(
    ("applied", "fires"), [(datetime(2024, 5, 5, 2), True), (datetime(2024, 5, 3, 23), False)]
)
def test_a_certificate_within_72_hours_of_the_application(run, applied, fires):
    w = World()
    w.body("B1")
    w.org("O1")
    w.certificate("C1", issued_on=date(2024, 5, 6), applied=applied)
    rows = run(w, "mill-fast")
    assert rows.entity_id.tolist() == (["C1"] if fires else [])
    if fires:
        assert rows.value[0] == 46.0  # 5 May 02:00 to the end of 6 May


def _mills(planted_days: float) -> World:
    """Nine bodies, each issuing 30 certificates in the last year after 3 auditor-days each."""
    w = World()
    w.auditor("A1")
    for b in range(9):
        body = f"B{b}"
        w.body(body)
        days = planted_days if b == 8 else 3.0 + 0.1 * b
        for i in range(30):
            cert, org = f"C{b}-{i}", f"O{b}-{i}"
            w.org(org)
            w.certificate(cert, body, org, issued_on=date(2025, 3, 3))
            w.audit(cert, "stage2", date(2025, 2, 3), 1, body=body, org=org, actual=days)
    return w


def test_a_body_issuing_certificates_for_a_tenth_of_the_audit_time_fires(run):
    rows = run(_mills(0.3), "mill-rate")
    assert rows.entity_id.tolist() == ["B8"]
    assert rows.value[0] == pytest.approx(1 / 0.3)


def test_a_body_spending_the_peers_audit_time_is_silent(run):
    assert run(_mills(3.2), "mill-rate").empty


@pytest.mark.parametrize(
    ("size", "schemes", "fires"), [("micro", 4, True), ("micro", 3, False), ("small", 4, False)]
)
def test_many_standards_to_a_micro_firm_in_one_day(run, size, schemes, fires):
    w = World()
    w.body("B1", scopes=[(s, "29") for s in ("QMS", "EMS", "OHSMS", "EnMS")])
    w.org("O1", size=size)
    for scheme in ("QMS", "EMS", "OHSMS", "EnMS")[:schemes]:
        w.certificate(f"C-{scheme}", scheme=scheme, issued_on=date(2024, 5, 6))
    rows = run(w, "mill-many-standards")
    assert rows.entity_id.tolist() == (["O1"] if fires else [])
    if fires:
        assert rows.value[0] == 4.0
        assert len(rows.evidence[0]) == 4


def _deregistered(on: date, withdrawn: bool = False) -> World:
    w = World()
    w.body("B1")
    w.org("O1", deregistered_on=on)
    w.certificate("C1", issued_on=date(2024, 5, 6))
    if withdrawn:
        w.status("C1", "withdrawn", on + timedelta(days=10))
    return w


def test_an_active_certificate_of_a_firm_deregistered_two_months_ago_fires(run):
    rows = run(_deregistered(date(2025, 5, 1)), "mill-deregistered")
    assert rows.entity_id.tolist() == ["C1"]
    assert rows.value[0] == 61.0


@pytest.mark.parametrize(
    "world",
    [lambda: _deregistered(date(2025, 6, 10)), lambda: _deregistered(date(2025, 5, 1), True)],
    ids=["deregistered-21-days-ago", "withdrawn"],
)
def test_a_recent_deregistration_or_a_withdrawn_certificate_is_silent(run, world):
    assert run(world(), "mill-deregistered").empty


def test_no_surveillance_for_14_months_without_suspension_fires(run):
    w = clean()
    # The clean history's surveillance of January 2024 is missing: stage 2 ended 8 Feb 2022,
    # surveillance 16 Jan 2023, next audit 2 Dec 2024.
    w.rows["audits"] = [a for a in w.rows["audits"] if a["start_on"] != date(2024, 1, 15)]
    rows = run(w, "surveillance-gap")
    assert rows.entity_id.tolist() == ["C1"]
    assert rows.value[0] == (date(2024, 12, 2) - date(2023, 1, 16)).days
    assert rows.day[0] == date(2023, 1, 16) + timedelta(days=366)


def test_a_suspension_in_the_gap_silences_it(run):
    w = clean()
    w.rows["audits"] = [a for a in w.rows["audits"] if a["start_on"] != date(2024, 1, 15)]
    w.status("C1", "suspended", date(2024, 2, 1))
    w.status("C1", "active", date(2024, 12, 3))
    assert run(w, "surveillance-gap").empty


def test_an_active_certificate_not_audited_since_the_scan_day_minus_13_months_fires(run):
    w = World()
    w.body("B1")
    w.auditor("A1")
    w.org("O1")
    w.certificate("C1", issued_on=date(2024, 5, 6))
    w.audit("C1", "stage2", date(2024, 4, 22), 2)
    rows = run(w, "surveillance-gap")
    assert rows.value.tolist() == [(date(2025, 7, 1) - date(2024, 4, 23)).days]


def _sampled(follow_up_after: int | None, how: str = "special") -> World:
    w = clean()
    sampled = date(2025, 3, 3)
    w.add("sampling_results", org_id="O1", sampled_on=sampled, failed=True)
    if follow_up_after is not None:
        day = sampled + timedelta(days=follow_up_after)
        if how == "special":
            w.audit("C1", "special", day, 1)
        else:
            w.status("C1", "suspended", day)
    return w


@pytest.mark.parametrize(("after", "how"), [(None, "special"), (45, "special"), (40, "suspended")])
def test_a_failed_sampling_inspection_without_timely_follow_up_fires(run, after, how):
    rows = run(_sampled(after, how), "sampling-no-follow-up")
    assert rows.entity_id.tolist() == ["C1"]
    assert rows.value[0] == (after or (date(2025, 7, 1) - date(2025, 3, 3)).days)


@pytest.mark.parametrize(("after", "how"), [(20, "special"), (30, "suspended")])
def test_a_special_audit_or_suspension_within_30_days_is_follow_up(run, after, how):
    assert run(_sampled(after, how), "sampling-no-follow-up").empty


def test_a_passed_sampling_inspection_needs_no_follow_up(run):
    w = clean()
    w.add("sampling_results", org_id="O1", sampled_on=date(2025, 3, 3), failed=False)
    assert run(w, "sampling-no-follow-up").empty
