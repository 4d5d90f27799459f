"""The lifecycle over HTTP: sign-in, roles, tenancy, errors, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import sqlalchemy as sa

from qcert.ledger.storage import SqlLedgerStorage
from qcert.store import tables as t

from .conftest import HOST, PASSWORD, TEAM


def _certify(client, as_):
    d = date.today() - timedelta(days=30)
    steps = [
        (
            "client",
            "apply-for-certification",
            {
                "certification_id": "x",
                "body_id": "cb1",
                "client_id": "c1",
                "scheme_id": "iso9001",
                "sectors": [17],
                "sites": ["hq"],
            },
        ),
        ("rev", "review-contract", {"certification_id": "x", "reviewer": "rev"}),
        *(
            step
            for aid, kind, days in (("s1", "stage1", 1), ("s2", "stage2", 3))
            for step in (
                (
                    "plan",
                    "plan-audit",
                    {
                        "certification_id": "x",
                        "audit_id": aid,
                        "kind": kind,
                        "team": TEAM,
                        "method": "FS01",
                        "start": str(d),
                        "end": str(d),
                        "planned_days": days,
                        "sites": ["hq"],
                    },
                ),
                (
                    "lead",
                    "complete-audit",
                    {
                        "certification_id": "x",
                        "audit_id": aid,
                        "actual_days": days,
                        "last_day": str(d),
                    },
                ),
            )
        ),
        (
            "rev",
            "technical-review",
            {"certification_id": "x", "reviewer": "rev", "recommendation": "grant"},
        ),
        (
            "dec",
            "decide",
            {
                "certification_id": "x",
                "decider": "dec",
                "outcome": "grant",
                "on": str(d + timedelta(days=10)),
                "number": "N-1",
                "scope": "parts",
            },
        ),
    ]
    for who, name, body in steps:
        r = client.post(f"/api/v1/commands/{name}", json=body, headers=as_(who))
        assert r.status_code == 200, (name, r.text)
        assert r.json()["ledger_indices"]


def test_a_certification_through_the_api_with_each_role(api):
    client, as_ = api
    _certify(client, as_)
    page = client.get("/api/v1/certificates", headers=as_("dec")).json()
    assert page["total"] == 1 and page["items"][0]["status"] == "active"
    detail = client.get("/api/v1/certifications/x", headers=as_("client")).json()
    assert detail["certificate"]["number"] == "N-1"
    assert [a["audit_id"] for a in detail["audits"]] == ["s1", "s2"]


def _do(client, as_, who: str, name: str, **body):
    r = client.post(f"/api/v1/commands/{name}", json=body, headers=as_(who))
    assert r.status_code == 200, (name, r.text)
    return r.json()


def test_product_certification_under_iso_iec_17065_through_the_api(api, engine):
    """The generic product scheme's own stages: type test, initial factory inspection, the
    decision they rest on, then annual surveillance with a sampling test."""
    from qcert.lifecycle.aggregate import add_months
    from qcert.store.replay import check_projections

    client, as_ = api
    today = date.today()
    tested, inspected, decided = (today - timedelta(days=n) for n in (90, 60, 50))
    surveilled, sampled = today - timedelta(days=10), today - timedelta(days=3)
    _do(
        client,
        as_,
        "root",
        "grant-body-scope",
        body_id="cb1",
        scheme_id="product",
        sectors=[17],
        valid_from="2020-01-01",
    )
    _do(
        client,
        as_,
        "admin1",
        "qualify-auditor",
        auditor_id="lead",
        scheme_id="product",
        sectors=[17],
    )
    _do(
        client,
        as_,
        "client",
        "apply-for-certification",
        certification_id="p",
        body_id="cb1",
        client_id="c1",
        scheme_id="product",
        sectors=[17],
        sites=["hq"],
    )
    _do(client, as_, "rev", "review-contract", certification_id="p", reviewer="rev")
    # The type test: the laboratory's report and its conclusion.
    _do(
        client,
        as_,
        "plan",
        "record-test",
        certification_id="p",
        test_id="t1",
        stage="type-test",
        laboratory="国家电器产品质量检验检测中心",
        report_no="2026-TT-0042",
        result="pass",
        on=str(tested),
        note="3 台样品，全部项目 / 3 samples, every item",
    )
    # The initial factory inspection is an audit of the scheme's; stage 2 is not.
    audit = {"certification_id": "p", "team": TEAM, "method": "FS01", "sites": ["hq"]}
    wrong = client.post(
        "/api/v1/commands/plan-audit",
        headers=as_("plan"),
        json={
            **audit,
            "audit_id": "s2",
            "kind": "stage2",
            "start": str(inspected),
            "end": str(inspected),
            "planned_days": 2,
        },
    )
    assert wrong.status_code == 409
    assert (wrong.json()["error"]["code"], wrong.json()["error"]["source"]) == (
        "stage.declared",
        "the scheme file's stages",
    )
    _do(
        client,
        as_,
        "plan",
        "plan-audit",
        **audit,
        audit_id="fi",
        kind="factory-inspection",
        start=str(inspected),
        end=str(inspected),
        planned_days=2,
    )
    _do(
        client,
        as_,
        "lead",
        "check-in",
        certification_id="p",
        audit_id="fi",
        auditor="lead",
        lat=39.9,
        lon=116.3,
    )
    _do(
        client,
        as_,
        "lead",
        "complete-audit",
        certification_id="p",
        audit_id="fi",
        actual_days=2,
        last_day=str(inspected),
    )
    _do(
        client,
        as_,
        "rev",
        "technical-review",
        certification_id="p",
        reviewer="rev",
        recommendation="grant",
    )
    early = client.post(
        "/api/v1/commands/decide",
        headers=as_("dec"),
        json={
            "certification_id": "p",
            "decider": "dec",
            "outcome": "grant",
            "on": str(inspected - timedelta(days=1)),
            "number": "P-1",
            "scope": "开关柜",
        },
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "decision.date"
    _do(
        client,
        as_,
        "dec",
        "decide",
        certification_id="p",
        decider="dec",
        outcome="grant",
        on=str(decided),
        number="CQC-P-0001",
        scope="低压成套开关设备 / LV switchgear",
    )
    # Annual surveillance: a factory inspection and the test of samples taken at it.
    _do(
        client,
        as_,
        "plan",
        "plan-audit",
        **audit,
        audit_id="sv1",
        kind="surveillance",
        start=str(surveilled),
        end=str(surveilled),
        planned_days=1,
    )
    _do(
        client,
        as_,
        "lead",
        "complete-audit",
        certification_id="p",
        audit_id="sv1",
        actual_days=1,
        last_day=str(surveilled),
    )
    _do(
        client,
        as_,
        "plan",
        "record-test",
        certification_id="p",
        test_id="t2",
        stage="sampling",
        laboratory="国家电器产品质量检验检测中心",
        report_no="2026-SV-0007",
        result="pass",
        on=str(sampled),
    )

    detail = client.get("/api/v1/certifications/p", headers=as_("client")).json()
    cert = detail["certificate"]
    assert (cert["number"], cert["status"], cert["issue_date"]) == (
        "CQC-P-0001",
        "active",
        str(decided),
    )
    # the scheme's validity: five years
    assert cert["expiry_date"] == str(add_months(decided, 60) - timedelta(days=1))
    assert [(a["audit_id"], a["kind"]) for a in detail["audits"]] == [
        ("fi", "factory-inspection"),
        ("sv1", "surveillance"),
    ]
    assert [(x["stage"], x["result"], x["report_no"]) for x in detail["tests"]] == [
        ("type-test", "pass", "2026-TT-0042"),
        ("sampling", "pass", "2026-SV-0007"),
    ]
    programme = client.get(
        "/api/v1/programme", params={"certification_id": "p"}, headers=as_("dec")
    ).json()["items"]
    assert programme[0]["done_on"] == str(surveilled)
    assert check_projections(engine) == []


def test_only_the_bodys_planner_records_a_test(api):
    client, as_ = api
    _certify(client, as_)
    body = {
        "certification_id": "x",
        "test_id": "t1",
        "stage": "sampling",
        "laboratory": "L",
        "report_no": "R",
        "result": "pass",
        "on": str(date.today()),
    }
    for who in ("client", "lead", "dec", "dec2", "rev"):
        r = client.post("/api/v1/commands/record-test", json=body, headers=as_(who))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", who
    # The planner may; ISO 9001 has no test stage, and the refusal says so.
    r = client.post("/api/v1/commands/record-test", json=body, headers=as_("plan"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "stage.declared"


def test_each_caller_sees_only_its_own_tenants(api):
    client, as_ = api
    _certify(client, as_)
    assert client.get("/api/v1/certifications", headers=as_("dec2")).json()["total"] == 0
    assert client.get("/api/v1/certifications/x", headers=as_("dec2")).status_code == 404
    assert client.get("/api/v1/certifications", headers=as_("root")).json()["total"] == 1
    assert client.get("/api/v1/clients", headers=as_("dec")).json()["total"] == 1
    assert client.get("/api/v1/clients", headers=as_("dec2")).json()["total"] == 0


def test_roles_are_enforced_and_people_act_as_themselves(api):
    client, as_ = api
    _certify(client, as_)
    body = {"certification_id": "x", "reason": "r", "on": str(date.today())}
    planner = client.post("/api/v1/commands/suspend-certificate", json=body, headers=as_("plan"))
    assert planner.status_code == 403
    assert planner.json()["error"]["code"] == "forbidden"
    other_body = client.post("/api/v1/commands/suspend-certificate", json=body, headers=as_("dec2"))
    assert other_body.status_code == 403
    forged = client.post(
        "/api/v1/commands/technical-review",
        headers=as_("rev"),
        json={"certification_id": "x", "reviewer": "someone", "recommendation": "grant"},
    )
    assert forged.status_code == 403 and "only as yourself" in forged.json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/commands/suspend-certificate", json=body, headers=as_("dec")
        ).status_code
        == 200
    )


def test_rule_refusals_and_invalid_input_have_one_shape(api):
    client, as_ = api
    _certify(client, as_)
    body = {"certification_id": "x", "to_body": "cb2", "on": str(date.today())}
    client.post(
        "/api/v1/commands/suspend-certificate",
        headers=as_("dec"),
        json={"certification_id": "x", "reason": "r", "on": str(date.today())},
    )
    refused = client.post("/api/v1/commands/transfer-certificate", json=body, headers=as_("dec"))
    assert refused.status_code == 409
    err = refused.json()["error"]
    assert (err["code"], err["source"]) == ("transfer.suspended", "IAF MD 2:2017 2.2")
    assert "不能转换认证机构" in err["message_zh"]
    bad = client.post(
        "/api/v1/commands/suspend-certificate",
        headers=as_("dec"),
        json={"certification_id": "x", "reason": "r", "on": "tomorrow"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid" and bad.json()["error"]["message"].startswith(
        "on:"
    )


def test_sign_in_is_required_slowed_and_tokens_end(api, services, engine):
    client, _ = api
    assert client.get("/api/v1/certifications").status_code == 401
    for _ in range(3):
        wrong = client.post("/api/v1/auth/token", json={"username": "dec", "password": "nope"})
        assert wrong.status_code == 401
    slowed = client.post("/api/v1/auth/token", json={"username": "dec", "password": PASSWORD})
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    expired = services.identity.start("rev", "api").token
    with engine.begin() as conn:
        conn.execute(t.sessions.update().values(expires_at=0.0))
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    forged = "qs_" + "A" * 43  # well formed, but no session has this token
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )


def test_api_keys_are_drawn_by_the_server_stored_hashed_and_revocable(api, engine):
    client, as_ = api
    r = client.post(
        "/api/v1/commands/issue-api-key",
        headers=as_("lead"),
        json={"account_id": "lead", "label": "line monitor"},
    )
    assert r.status_code == 200
    key_id, key = r.json()["reply"]["key_id"], r.json()["reply"]["api_key"]
    assert key.startswith(f"qk_{key_id}_") and len(key) >= 3 + 16 + 1 + 43
    with engine.connect() as conn:
        stored = conn.execute(sa.select(t.secrets.c.hash).where(t.secrets.c.id == key_id)).scalar()
        holder = conn.execute(
            sa.select(t.api_keys.c.account_id).where(t.api_keys.c.key_id == key_id)
        ).scalar()
    assert stored.startswith("sha256$") and key not in stored and holder == "lead"
    assert client.get("/api/v1/me", headers={"X-API-Key": key}).json()["account_id"] == "lead"
    client.post(
        "/api/v1/commands/revoke-api-key",
        headers=as_("lead"),
        json={"account_id": "lead", "key_id": key_id},
    )
    assert client.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 401


def test_passwords_are_argon2id_and_never_on_the_ledger(api, engine):
    from qcert.store.replay import check_projections

    with engine.connect() as conn:
        stored = conn.execute(sa.select(t.secrets.c.hash).where(t.secrets.c.id == "dec")).scalar()
    assert stored.startswith("$argon2id$")
    entries = SqlLedgerStorage(engine).entries(0, SqlLedgerStorage(engine).size())
    assert not any(PASSWORD.encode() in e or stored.encode() in e for e in entries)
    assert check_projections(engine) == []


def test_lists_are_paginated(api):
    client, as_ = api
    page = client.get("/api/v1/certifications", params={"limit": 500}, headers=as_("root"))
    assert page.status_code == 422
    ok = client.get("/api/v1/certifications", params={"limit": 1, "offset": 0}, headers=as_("root"))
    assert ok.json()["limit"] == 1


def test_lifecycle_events_are_not_served_as_public_entries(api):
    client, _ = api
    r = client.get("/ledger/entries/0")
    assert r.status_code == 403


def test_bodies_auditors_and_cases_are_scoped_too(api):
    client, as_ = api
    assert [b["id"] for b in client.get("/api/v1/bodies", headers=as_("dec")).json()["items"]] == [
        "cb1"
    ]
    assert client.get("/api/v1/bodies", headers=as_("root")).json()["total"] == 2
    assert client.get("/api/v1/auditors", headers=as_("dec2")).json()["total"] == 0
    assert client.get("/api/v1/auditors", headers=as_("dec")).json()["total"] == 1
    assert client.get("/api/v1/cases", headers=as_("client")).json()["total"] == 0


def test_overdue_programme_items(api):
    client, as_ = api
    _certify(client, as_)
    far = (date.today() + timedelta(days=800)).isoformat()
    overdue = client.get("/api/v1/programme", params={"overdue_on": far}, headers=as_("dec")).json()
    assert overdue["total"] >= 1 and all(i["done_on"] is None for i in overdue["items"])
    assert client.get("/api/v1/programme", headers=as_("dec2")).json()["total"] == 0


def test_body_keys_rotate_and_the_did_document_keeps_their_history(api, engine):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from qcert.credentials import multibase_public_key
    from qcert.store.replay import check_projections

    client, as_ = api
    old, new = (multibase_public_key(Ed25519PrivateKey.generate().public_key()) for _ in range(2))
    add = {
        "body_id": "cb1",
        "key_id": "k1",
        "public_key_multibase": old,
        "valid_from": "2025-01-01T00:00:00+08:00",
    }
    assert (
        client.post("/api/v1/commands/add-body-key", json=add, headers=as_("dec")).status_code
        == 403
    )
    assert (
        client.post("/api/v1/commands/add-body-key", json=add, headers=as_("admin1")).status_code
        == 200
    )
    client.post(
        "/api/v1/commands/add-body-key",
        headers=as_("admin1"),
        json={
            **add,
            "key_id": "k2",
            "public_key_multibase": new,
            "valid_from": "2026-01-01T00:00:00Z",
        },
    )
    client.post(
        "/api/v1/commands/revoke-body-key",
        headers=as_("admin1"),
        json={
            "body_id": "cb1",
            "key_id": "k1",
            "revoked": "2026-02-01T00:00:00Z",
            "reason": "rotated",
        },
    )
    # The installation's configured host names the body, whatever Host a request sends.
    doc = client.get("/bodies/cb1/did.json", headers={"host": "evil.example"}).json()
    did = f"did:web:{HOST}:bodies:cb1"
    assert doc["id"] == did
    assert [
        (m["id"], m["publicKeyMultibase"], m.get("revoked")) for m in doc["verificationMethod"]
    ] == [(f"{did}#k1", old, "2026-02-01T00:00:00Z"), (f"{did}#k2", new, None)]
    assert doc["assertionMethod"] == [f"{did}#k2"]
    bad = client.post(
        "/api/v1/commands/add-body-key",
        headers=as_("admin1"),
        json={**add, "key_id": "k3", "public_key_multibase": "zNotAKey"},
    )
    assert bad.status_code == 422 and "Multikey" in bad.json()["error"]["message"]
    assert client.get("/bodies/nobody/did.json").status_code == 404
    assert check_projections(engine) == []


def test_a_document_is_recorded_only_with_its_bytes(api, services):
    import hashlib

    client, as_ = api
    data = b"%PDF-1.4 manual"
    # The command route takes no hash without its bytes: there is no JSON upload at all.
    payload = {
        "client_id": "c1",
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": "a.pdf",
        "media_type": "application/pdf",
        "size": len(data),
        "purpose": "manual",
        "uploaded_by": "client",
    }
    assert client.post(
        "/api/v1/commands/upload-document", json=payload, headers=as_("client")
    ).status_code in (404, 405)
    done = client.post(
        "/api/v1/documents",
        headers=as_("client"),
        data={"client_id": "c1", "purpose": "manual"},
        files={"file": ("a.pdf", data, "application/pdf")},
    )
    assert done.status_code == 200, done.text
    assert services.documents.read(payload["sha256"]) == data


def test_only_the_organisations_users_record_its_line_alarms(api):
    client, as_ = api
    alarm = {
        "client_id": "c1",
        "line": "line-1",
        "reading": 200,
        "onset": 161,
        "statistic": "spe",
        "value": 31.5,
        "limit": 20.1,
        "top_variables": ["coolant_temp"],
        "at": "2026-03-02T08:30:00Z",
    }
    url = "/api/v1/commands/record-line-alarm"
    assert client.post(url, json=alarm, headers=as_("dec2")).status_code == 403
    done = client.post(url, json=alarm, headers=as_("client"))
    assert done.status_code == 200 and len(done.json()["ledger_indices"]) == 1
    clear = {"client_id": "c1", "line": "line-1", "reading": 150, "at": "2026-03-02T09:00:00Z"}
    refused = client.post("/api/v1/commands/clear-line-alarm", json=clear, headers=as_("client"))
    assert refused.status_code == 422 and "must come after" in refused.text
