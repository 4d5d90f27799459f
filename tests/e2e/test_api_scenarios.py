"""Whole certifications driven through the HTTP API, each step by the role that owns it."""

from datetime import date, timedelta

from qcert.store.replay import check_projections

from .conftest import TEAM


def _do(client, as_, who, name, **body):
    for key, value in body.items():
        if isinstance(value, date):
            body[key] = value.isoformat()
    r = client.post(f"/api/v1/commands/{name}", json=body, headers=as_(who))
    assert r.status_code == 200, (who, name, r.text)
    return r.json()["ledger_indices"]


def _audit(client, as_, cid, aid, kind, day, days):
    _do(
        client,
        as_,
        "plan",
        "plan-audit",
        certification_id=cid,
        audit_id=aid,
        kind=kind,
        team=TEAM,
        method="FS01",
        start=day,
        end=day,
        planned_days=days,
        sites=["hq"],
    )
    _do(
        client,
        as_,
        "lead",
        "check-in",
        certification_id=cid,
        audit_id=aid,
        auditor="lead",
        lat=39.9,
        lon=116.3,
    )
    _do(
        client,
        as_,
        "lead",
        "complete-audit",
        certification_id=cid,
        audit_id=aid,
        actual_days=days,
        last_day=day,
    )


def _initial(client, as_, cid, number, start):
    _do(
        client,
        as_,
        "client",
        "apply-for-certification",
        certification_id=cid,
        body_id="cb1",
        client_id="c1",
        scheme_id="iso9001",
        sectors=[17],
        sites=["hq"],
    )
    _do(client, as_, "rev", "review-contract", certification_id=cid, reviewer="rev")
    _audit(client, as_, cid, "s1", "stage1", start, 1)
    stage2 = start + timedelta(days=20)
    _do(
        client,
        as_,
        "plan",
        "plan-audit",
        certification_id=cid,
        audit_id="s2",
        kind="stage2",
        team=TEAM,
        method="FS03",
        start=stage2,
        end=stage2,
        planned_days=2,
        sites=["hq"],
    )
    _do(
        client,
        as_,
        "lead",
        "raise-finding",
        certification_id=cid,
        finding_id="nc1",
        audit_id="s2",
        grade="major",
        clause="8.5",
        evidence="no lot traceability",
        auditor="lead",
    )
    _do(
        client,
        as_,
        "lead",
        "complete-audit",
        certification_id=cid,
        audit_id="s2",
        actual_days=2,
        last_day=stage2,
        on_site_days=1.6,  # combined (FS03): 80% of it on site, as stage 2 asks
    )
    _do(
        client,
        as_,
        "client",
        "answer-finding",
        certification_id=cid,
        finding_id="nc1",
        correction="traced",
        cause="no rule",
        action="procedure issued",
    )
    _do(
        client,
        as_,
        "lead",
        "close-finding",
        certification_id=cid,
        finding_id="nc1",
        verifier="lead",
        on=stage2 + timedelta(days=30),
    )
    _do(
        client,
        as_,
        "rev",
        "technical-review",
        certification_id=cid,
        reviewer="rev",
        recommendation="grant",
    )
    decided = stage2 + timedelta(days=40)
    _do(
        client,
        as_,
        "dec",
        "decide",
        certification_id=cid,
        decider="dec",
        outcome="grant",
        on=decided,
        number=number,
        scope="precision parts",
    )
    return decided


def _status(client, as_, cid):
    return client.get(f"/api/v1/certifications/{cid}", headers=as_("dec")).json()["certificate"]


def test_initial_two_surveillances_and_recertification_through_the_api(api, engine):
    client, as_ = api
    decided = _initial(client, as_, "x", "N-1", date(2022, 1, 10))
    _audit(client, as_, "x", "sv1", "surveillance", decided + timedelta(days=330), 1)
    _audit(client, as_, "x", "sv2", "surveillance", decided + timedelta(days=660), 1)
    _audit(client, as_, "x", "rc", "recertification", decided + timedelta(days=1000), 2)
    _do(
        client,
        as_,
        "rev",
        "technical-review",
        certification_id="x",
        reviewer="rev",
        recommendation="renew",
    )
    _do(
        client,
        as_,
        "dec",
        "decide",
        certification_id="x",
        decider="dec",
        outcome="renew",
        on=decided + timedelta(days=1020),
    )
    cert = _status(client, as_, "x")
    assert cert["status"] == "active" and cert["original_issue_date"] == decided.isoformat()
    history = client.get("/api/v1/certifications/x", headers=as_("client")).json()["history"]
    assert [h["event"] for h in history] == ["certificate.issued", "certificate.issued"]
    assert check_projections(engine) == []


def test_suspension_expiring_into_withdrawal_transfer_and_appeal_through_the_api(api, engine):
    client, as_ = api
    decided = _initial(client, as_, "x", "N-1", date(2024, 1, 10))
    suspended = decided + timedelta(days=100)
    _do(
        client,
        as_,
        "dec",
        "suspend-certificate",
        certification_id="x",
        reason="misuse of mark",
        on=suspended,
    )
    assert _status(client, as_, "x")["status"] == "suspended"
    _do(
        client,
        as_,
        "dec",
        "enforce-clocks",
        certification_ids=["x"],
        on=suspended + timedelta(days=190),
    )
    assert _status(client, as_, "x")["certsearch_status"] == "Withdrawn"

    # The second certification comes after the first's story: the clock never runs back.
    second = _initial(client, as_, "y", "N-2", date(2025, 1, 6))
    _do(
        client,
        as_,
        "dec",
        "transfer-certificate",
        certification_id="y",
        to_body="cb2",
        on=second + timedelta(days=30),
    )
    assert _status(client, as_, "y")["transferred_to"] == "cb2"

    _do(
        client,
        as_,
        "admin1",
        "open-case",
        case_id="ap1",
        kind="appeal",
        certification_id="x",
        handler="admin1",
        summary="the client appeals the withdrawal",
    )
    refused = client.post(
        "/api/v1/commands/open-case",
        headers=as_("admin1"),
        json={
            "case_id": "ap2",
            "kind": "appeal",
            "certification_id": "x",
            "handler": "dec",
            "summary": "s",
        },
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "case.independence"
    _do(
        client,
        as_,
        "admin1",
        "resolve-case",
        case_id="ap1",
        outcome="withdrawal upheld",
        on=second + timedelta(days=40),
    )
    cases = client.get("/api/v1/cases", headers=as_("admin1")).json()["items"]
    assert cases == [
        {
            "id": "ap1",
            "kind": "appeal",
            "certification_id": "x",
            "body_id": "cb1",
            "handler": "admin1",
            "resolved": True,
            "summary": "the client appeals the withdrawal",
            "outcome": "withdrawal upheld",
            "resolved_on": (second + timedelta(days=40)).isoformat(),
        }
    ]
    assert check_projections(engine) == []
