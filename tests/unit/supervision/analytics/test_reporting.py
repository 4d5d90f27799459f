"""Reporting: late, missing, edited after the fact, queried but unreported (a planted case that
fires and a clean twin that stays silent for each)."""

from datetime import date, datetime, timedelta

import pytest

from .world import AS_OF, World, at, clean


@pytest.mark.parametrize(
    ("delay", "fires"), [(timedelta(days=8), True), (timedelta(days=4), False)]
)
def test_a_fact_reported_more_than_5_days_later(run, delay, fires):
    w = clean()
    w.report("B1", "R1", "status-change", at(date(2025, 3, 3), 2), delay=delay)
    rows = run(w, "report-late")
    assert rows.entity_id.tolist() == (["R1"] if fires else [])
    if fires:
        assert rows.value[0] == pytest.approx(8 + 1 / 24)
        assert list(rows.evidence[0]) == ["status-change", "R1"]


@pytest.mark.parametrize(("audited", "fires"), [(False, True), (True, False)])
def test_a_certificate_with_no_reported_audit(run, audited, fires):
    w = World()
    w.body("B1")
    w.auditor("A1")
    w.org("O1")
    w.certificate("C1", issued_on=date(2024, 5, 6))
    if audited:
        w.audit("C1", "stage2", date(2024, 4, 22), 2)
    rows = run(w, "report-missing")
    assert rows.entity_id.tolist() == (["C1"] if fires else [])


@pytest.mark.parametrize(
    ("revised_after", "fires"), [(timedelta(days=3), True), (timedelta(hours=5), False)]
)
def test_a_report_revised_after_the_day(run, revised_after, fires):
    w = clean()
    happened = at(date(2025, 3, 3), 2)
    w.report("B1", "R1", "audit-result", happened)
    w.report("B1", "R1", "audit-result", happened, delay=revised_after, revision=2)
    rows = run(w, "report-edited")
    assert rows.entity_id.tolist() == (["R1"] if fires else [])


@pytest.mark.parametrize("hour", [0, 9, 22])
def test_what_reached_the_hub_on_the_scans_own_day_counts_whatever_the_hour(run, hour):
    # A scan runs during its day: an edit and a late first report received that morning are
    # already facts; one received the day after is not yet.
    w = clean()
    occurred = at(AS_OF - timedelta(days=20), 2)
    received = at(AS_OF, hour) - timedelta(hours=1)
    w.report("B1", "R1", "audit-result", occurred)
    w.report("B1", "R1", "audit-result", occurred, delay=received - occurred, revision=2)
    w.report("B1", "R2", "decision", occurred, delay=received - occurred)
    w.report("B1", "R3", "decision", occurred, delay=received - occurred + timedelta(days=1))
    assert run(w, "report-edited").entity_id.tolist() == ["R1"]
    assert sorted(run(w, "report-late").entity_id.tolist()) == ["R2"]


@pytest.mark.parametrize(
    ("number", "times", "fires"), [("FAKE-1", 3, True), ("FAKE-1", 1, False), ("C1", 3, False)]
)
def test_a_number_queried_that_no_body_reported(run, number, times, fires):
    w = clean()
    for i in range(times):
        w.add("public_queries", cert_no=number, queried_at=datetime(2025, 4, 1 + i, 6))
    rows = run(w, "query-unreported")
    assert rows.entity_id.tolist() == (["FAKE-1"] if fires else [])
    if fires:
        assert rows.value[0] == 3.0
        assert rows.day[0] == date(2025, 4, 1)
