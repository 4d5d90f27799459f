"""Audit evidence: check-ins, audit time, on-site share, remote share (a planted case that fires
and a clean twin that stays silent for each)."""

from datetime import date

import pytest

from .world import SITE, World, at, clean


def _one_audit(**kw) -> tuple[World, int]:
    w = clean()
    return w, w.audit("C1", "special", date(2025, 3, 3), 1, **kw)


def test_an_audit_without_a_check_out_is_not_evidenced(run):
    w, audit = _one_audit(team=(("A1", "lead"), ("A2", "auditor")), checks=False)
    w.auditor("A2")
    w.checkin(audit, "A1", "in", at(date(2025, 3, 3), 1))
    w.checkin(audit, "A1", "out", at(date(2025, 3, 3), 9))
    w.checkin(audit, "A2", "in", at(date(2025, 3, 3), 1))
    rows = run(w, "checkin-missing")
    assert rows.entity_id.tolist() == [str(audit)]
    assert rows.value.tolist() == [1.0]
    assert list(rows.evidence[0]) == [str(audit), "A2"]
    assert rows.body_id.tolist() == ["B1"]


def test_an_audit_with_every_check_in_and_out_is_evidenced(run):
    w, _ = _one_audit(team=(("A1", "lead"), ("A2", "auditor")))
    w.auditor("A2")
    assert run(w, "checkin-missing").empty


def test_a_remote_audit_needs_no_check_in(run):
    w, _ = _one_audit(method="FS02", checks=False)
    assert run(w, "checkin-missing").empty


def _checked_at(km_east: float) -> World:
    w, audit = _one_audit(checks=False)
    # One degree of longitude at 31.23° N is 95.2 km on the IUGG mean sphere.
    where = (SITE[0], SITE[1] + km_east / 95.18)
    w.checkin(audit, "A1", "in", at(date(2025, 3, 3), 1), where)
    w.checkin(audit, "A1", "out", at(date(2025, 3, 3), 9))
    return w


def test_a_check_in_6_km_from_the_site_fires(run):
    rows = run(_checked_at(6.0), "checkin-far")
    assert len(rows) == 1
    assert rows.value[0] == pytest.approx(6.0, abs=0.05)
    assert rows.threshold[0] == 5.0


def test_a_check_in_4_km_from_the_site_is_silent(run):
    assert run(_checked_at(4.0), "checkin-far").empty


@pytest.mark.parametrize(("actual", "fires"), [(0.6, True), (0.75, False)])
def test_audit_time_below_70_percent_of_md5(run, actual, fires):
    w, audit = _one_audit(actual=actual, md5=1.0)
    rows = run(w, "audit-time-short")
    assert rows.entity_id.tolist() == ([str(audit)] if fires else [])
    if fires:
        assert rows.value[0] == pytest.approx(0.6)


@pytest.mark.parametrize(("onsite", "fires"), [(1.2, True), (1.8, False)])
def test_on_site_share_below_80_percent(run, onsite, fires):
    w = clean()
    audit = w.audit("C1", "special", date(2025, 3, 3), 2, method="FS03", onsite=onsite)
    rows = run(w, "onsite-share-low")
    assert rows.entity_id.tolist() == ([str(audit)] if fires else [])


def _bodies_auditing_remotely(remote_of_planted: int) -> World:
    w = World()
    for b, remote in enumerate([3, 2, 4, 3, 3, 2, 4, 3, remote_of_planted]):
        body = f"B{b}"
        w.body(body)
        for i in range(30):
            method = "FS02" if i < remote else "FS01"
            w.audit(f"C{b}", "surveillance", date(2025, 1, 6), 1, body=body, method=method)
    return w


def test_a_body_auditing_remotely_far_more_than_peers_fires(run):
    rows = run(_bodies_auditing_remotely(20), "remote-share-high")
    assert rows.entity_id.tolist() == ["B8"]
    assert rows.value[0] == pytest.approx(20 / 30)
    # Peers' median 0.1; MAD 1/30 → scale 0.0494; bound 0.1 + 3 × 0.0494.
    assert rows.threshold[0] == pytest.approx(0.1 + 3 * 1.4826 / 30)


def test_a_body_auditing_remotely_like_its_peers_is_silent(run):
    assert run(_bodies_auditing_remotely(5), "remote-share-high").empty
