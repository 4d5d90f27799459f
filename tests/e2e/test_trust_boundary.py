"""Each way in the wrong person once had, tried again and refused: one test per attack, on
SQLite and PostgreSQL, through the API as an attacker would."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.credentials import multibase_public_key
from qcert.lifecycle import AddBodyKey, ApplyForCertification, RegisterClient
from qcert.store import tables as t
from tests.services import system_bus

from .conftest import PASSWORD, SITE, TEAM

DAY = date.today() - timedelta(days=30)


def _events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()


def _command(client, as_, who, name, body):
    return client.post(f"/api/v1/commands/{name}", json=body, headers=as_(who) if who else {})


def _grant(client, as_, cid="x", number="N-1"):
    """cb1's staff take an application to a granted certificate, each in their role."""
    steps = [
        ("rev", "review-contract", {"certification_id": cid, "reviewer": "rev"}),
        *(
            step
            for aid, kind, days in (("s1", "stage1", 1), ("s2", "stage2", 3))
            for step in (
                (
                    "plan",
                    "plan-audit",
                    {
                        "certification_id": cid,
                        "audit_id": aid,
                        "kind": kind,
                        "team": TEAM,
                        "method": "FS01",
                        "start": str(DAY),
                        "end": str(DAY),
                        "planned_days": days,
                        "sites": ["hq"],
                    },
                ),
                (
                    "lead",
                    "complete-audit",
                    {
                        "certification_id": cid,
                        "audit_id": aid,
                        "actual_days": days,
                        "last_day": str(DAY),
                    },
                ),
            )
        ),
        (
            "rev",
            "technical-review",
            {"certification_id": cid, "reviewer": "rev", "recommendation": "grant"},
        ),
        (
            "dec",
            "decide",
            {
                "certification_id": cid,
                "decider": "dec",
                "outcome": "grant",
                "on": str(DAY + timedelta(days=5)),
                "number": number,
                "scope": "parts",
            },
        ),
    ]
    for who, name, body in steps:
        answer = _command(client, as_, who, name, body)
        assert answer.status_code == 200, (name, answer.text)


def _apply(client, as_, cid="x", client_id="c1", body_id="cb1", who="client"):
    payload = {
        "certification_id": cid,
        "body_id": body_id,
        "client_id": client_id,
        "scheme_id": "iso9001",
        "sectors": [17],
        "sites": ["hq"],
    }
    return _command(client, as_, who, "apply-for-certification", payload)


# .. identity ...............................................................


def test_a_caller_cannot_choose_an_api_key_and_no_pattern_matches_one(api, engine):
    client, as_ = api
    chosen = {"account_id": "client", "key": "qk_%%%%%%%%%%%%%%%%_" + "A" * 43}
    refused = _command(client, as_, "client", "issue-api-key", chosen)
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("key:")
    root_key = _command(client, as_, "root", "issue-api-key", {"account_id": "root"})
    real = root_key.json()["reply"]["api_key"]
    secret = real.split("_", 2)[2]
    for forged in ("qk_%%%%%%%%%%%%%%%%_" + secret, "qk_%_" + secret, "qk____" + secret):
        assert client.get("/api/v1/me", headers={"X-API-Key": forged}).status_code == 401
    # Two keys never share an id, so issuing one never overwrites another's secret.
    again = _command(client, as_, "client", "issue-api-key", {"account_id": "client"})
    assert again.json()["reply"]["key_id"] != root_key.json()["reply"]["key_id"]
    assert client.get("/api/v1/me", headers={"X-API-Key": real}).json()["account_id"] == "root"


def test_one_key_id_is_never_two_accounts_and_the_audit_would_say_so(api, engine):
    from qcert.lifecycle.accounts import Account, ApiKeyIssued
    from qcert.store.replay import _commit
    from qcert.store.uow import ConcurrentChange, UnitOfWork

    # Straight into the domain, as a dishonest operator with the store's files might: the
    # store itself keeps a key id to one account.
    before = _events(engine)
    with pytest.raises(ConcurrentChange), UnitOfWork(engine, actor="forger") as uow:
        for account in ("client", "root"):
            uow.get(Account, account).issue_key("aaaaaaaaaaaaaaaa", "0" * 64)
        uow.commit()
    assert _events(engine) == before
    # And an audit over a log that says otherwise reports it.
    stream = [ApiKeyIssued("aaaaaaaaaaaaaaaa", "0" * 64)]
    commitments: dict = {}
    holders: dict = {}
    problems = [
        *_commit("account", "client", stream, commitments, holders),
        *_commit("account", "root", stream, commitments, holders),
    ]
    assert problems == ["api key aaaaaaaaaaaaaaaa was issued to client and root"]


def test_a_body_admin_changes_only_its_own_bodys_roles(api, engine):
    client, as_ = api
    before = _events(engine)
    for target, roles in (
        ("root", []),  # demote the platform's administrator
        ("dec2", []),  # demote another body's decision maker
        ("admin1", ["cb-admin@body:cb1", "client-user@client:c1"]),  # itself
        ("plan", ["planner@body:cb1", "client-user@client:c1"]),  # a client role for its staff
        ("plan", ["planner@body:cb1", "auditor@body:cb2"]),  # a role of another body
    ):
        answer = _command(
            client, as_, "admin1", "set-roles", {"account_id": target, "roles": roles}
        )
        assert answer.status_code == 403, (target, roles, answer.text)
    assert _events(engine) == before
    fine = {"account_id": "plan", "roles": ["planner@body:cb1", "auditor@body:cb1"]}
    assert _command(client, as_, "admin1", "set-roles", fine).status_code == 200


def test_an_organisations_users_join_only_by_its_administrators_invitation(api, engine):
    client, as_ = api
    refused = _command(
        client, as_, "client", "invite-user", {"client_id": "c1", "role": "client-user"}
    )
    assert refused.status_code == 403  # a user is not the organisation's administrator
    invited = _command(
        client, as_, "cadmin", "invite-user", {"client_id": "c1", "role": "client-user"}
    )
    assert invited.status_code == 200
    code = invited.json()["reply"]["code"]
    join = {"code": code, "account_id": "newbie", "display_name": "New", "password": PASSWORD}
    assert _command(client, as_, None, "join-with-invitation", join).status_code == 200
    token = client.post("/api/v1/auth/token", json={"username": "newbie", "password": PASSWORD})
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.json()["roles"] == ["client-user@client:c1"]
    twice = {**join, "account_id": "newbie2"}
    assert _command(client, as_, None, "join-with-invitation", twice).status_code == 422


def test_sign_out_a_password_change_and_a_revocation_end_tokens_at_once(api):
    client, as_ = api
    assert client.post("/api/v1/auth/signout").status_code == 401  # nobody to sign out
    first, second = as_("lead"), as_("lead")
    assert client.post("/api/v1/auth/signout", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200
    no_current = {"account_id": "lead", "current_password": "guessing!", "password": "n" * 14}
    assert _command(client, as_, "lead", "change-password", no_current).status_code == 422
    change = {**no_current, "current_password": PASSWORD}
    assert (
        client.post("/api/v1/commands/change-password", json=change, headers=second).status_code
        == 200
    )
    third = {
        "Authorization": client.post(
            "/api/v1/auth/token", json={"username": "lead", "password": "n" * 14}
        ).json()["access_token"]
    }
    third = {"Authorization": f"Bearer {third['Authorization']}"}
    assert client.get("/api/v1/me", headers=second).status_code == 200  # the one that changed it
    assert (
        _command(client, as_, "root", "revoke-sessions", {"account_id": "lead"}).status_code == 200
    )
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.get("/api/v1/me", headers=third).status_code == 401


# .. documents and applications ..............................................


def test_a_reviewer_files_an_application_only_on_the_organisations_consent(api, engine):
    client, as_ = api
    before = _events(engine)
    assert _apply(client, as_, who="rev").status_code == 403
    assert _events(engine) == before
    assert client.get("/api/v1/clients", headers=as_("rev")).json()["total"] == 0  # unseen
    consent = {"client_id": "c1", "body_id": "cb1", "note": "书面同意"}
    assert _command(client, as_, "rev", "give-consent", consent).status_code == 403
    assert _command(client, as_, "client", "give-consent", consent).status_code == 200
    assert _apply(client, as_, who="rev").status_code == 200
    with engine.connect() as conn:
        kinds = conn.execute(sa.select(t.events.c.type)).scalars().all()
    assert "client.consent-given" in kinds


def test_a_document_given_to_one_body_never_reaches_another(api, services, engine):
    client, as_ = api
    assert _apply(client, as_, "x").status_code == 200
    assert _apply(client, as_, "y", body_id="cb2").status_code == 200
    secret = b"for cb2 only: our supplier list\n"
    given = client.post(
        "/api/v1/documents",
        headers=as_("client"),
        data={"client_id": "c1", "certification_id": "y", "purpose": "supplier list"},
        files={"file": ("suppliers.txt", secret, "text/plain")},
    )
    assert given.status_code == 200
    sha = hashlib.sha256(secret).hexdigest()
    web = TestClient(client.app, base_url="https://testserver")
    form = web.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)[1]
    web.post("/signin", data={"username": "rev", "password": PASSWORD, "csrf": csrf})
    timeline = web.get("/ws/bodies/cb1/certifications/x").text
    assert (
        sha not in timeline and "suppliers.txt" not in timeline and "supplier list" not in timeline
    )
    assert web.get(f"/portal/c1/documents/{sha}").status_code == 404
    # A hash alone records nothing: there is no way to claim bytes one does not send.
    assert client.post(
        "/api/v1/commands/upload-document",
        headers=as_("rev"),
        json={
            "client_id": "c1",
            "sha256": sha,
            "filename": "s.txt",
            "media_type": "text/plain",
            "size": len(secret),
            "purpose": "p",
            "uploaded_by": "rev",
            "certification_id": "x",
        },
    ).status_code in (404, 405)


# .. what is public ..........................................................


def test_a_confidential_organisations_credential_is_not_a_public_entry(api, services, engine):
    client, as_ = api
    run = system_bus(services)
    run(
        RegisterClient(
            "c2",
            "91440300708461136T",
            "保密公司",
            "Private",
            "深圳",
            "440305",
            9,
            [SITE],
            confidential=True,
        )
    )
    key_id, key = services.keys.create("cb1")
    since = datetime(2020, 1, 1, tzinfo=UTC)
    run(AddBodyKey("cb1", key_id, multibase_public_key(key.public_key()), since))
    assert _apply(client, as_, "open").status_code == 200
    run(ApplyForCertification("shut", "cb1", "c2", "iso9001", [17], ["hq"]))  # c2 has no user
    for cid, number in (("open", "N-O"), ("shut", "N-S")):
        _grant(client, as_, cid, number=number)
    services.ledger.sign_due()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.credentials.c.number, t.credentials.c.ledger_index))
        indices = {number: index for number, index in rows}
        event = conn.execute(sa.select(sa.func.min(t.events.c.ledger_index))).scalar_one()
    assert client.get(f"/ledger/entries/{indices['N-O']}").status_code == 200
    hidden = client.get(f"/ledger/entries/{indices['N-S']}")
    assert hidden.status_code == 403 and "91440300708461136T" not in hidden.text
    assert client.get(f"/ledger/entries/{indices['N-S']}", headers=as_("dec")).status_code == 200
    assert client.get(f"/ledger/entries/{indices['N-S']}", headers=as_("dec2")).status_code == 403
    assert client.get(f"/ledger/entries/{event}").status_code == 403  # an event: not public
    assert client.get(f"/ledger/proof/{indices['N-S']}").status_code == 200  # its proof is


def test_the_issuer_host_is_never_the_callers(api):
    client, as_ = api
    chosen = {"certification_id": "x", "host": "evil.example"}
    refused = _command(client, as_, "dec", "issue-credential", chosen)
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("host:")
    doc = client.get("/bodies/cb1/did.json", headers={"Host": "evil.example"})
    assert doc.json()["id"] == "did:web:api.example:bodies:cb1"


# .. inputs that once gave a server error ....................................

LISTS = (
    "certifications",
    "certificates",
    "audits",
    "findings",
    "clients",
    "bodies",
    "auditors",
    "cases",
    "programme",
)


def test_out_of_range_numbers_are_refused_naming_the_field(api):
    client, as_ = api
    for name in LISTS:
        for offset in (2**63, 2**64 + 5, -1):
            answer = client.get(f"/api/v1/{name}", params={"offset": offset}, headers=as_("root"))
            assert answer.status_code == 422, (name, offset)
            assert answer.json()["error"]["message"].startswith("offset:")
    for path in (
        "/bodies/cb1/status/revocation/99999999999999999999999",
        "/bodies/cb1/status/revocation/0",
        "/ledger/proof/99999999999999999999999",
    ):
        answer = client.get(path)
        assert answer.status_code == 422 and answer.json()["error"]["message_zh"], path


def test_odd_pages_and_months_on_the_workspace_are_refused_in_the_page(api):
    client, _ = api
    web = TestClient(client.app, base_url="https://testserver")
    csrf = re.search(r'name="csrf" value="([^"]*)"', web.get("/signin").text)[1]
    web.post("/signin", data={"username": "dec", "password": PASSWORD, "csrf": csrf})
    for page in ("²", "9" * 40, "0", "-3"):
        answer = web.get("/ws/bodies/cb1/certifications", params={"page": page})
        assert answer.status_code == 422, page
    assert _apply(client, api[1], "m").status_code == 200
    for month in ("9999-99", "0000-01", "2026-13", "9" * 30):
        answer = web.get("/ws/bodies/cb1/certifications/m", params={"month": month})
        assert answer.status_code in (200, 422), month


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("suspend-certificate", {"certification_id": "x", "reason": "r", "on": "9999-12-31"}, "on"),
        (
            "suspend-certificate",
            {"certification_id": "x", "reason": "r", "on": str(DAY), "months": True},
            "months",
        ),
        (
            "suspend-certificate",
            {"certification_id": "x", "reason": "\ud800", "on": str(DAY)},
            "reason",
        ),
        (
            "open-account",
            {"account_id": "big", "display_name": "B", "roles": [], "password": "p" * (1 << 20)},
            "password",
        ),
        (
            "raise-finding",
            {
                "certification_id": "x",
                "finding_id": "",
                "audit_id": "s2",
                "grade": "minor",
                "clause": "8.5",
                "evidence": "e",
                "auditor": "lead",
            },
            "finding_id",
        ),
        (
            "raise-finding",
            {
                "certification_id": "x",
                "finding_id": "f" * 10_000,
                "audit_id": "s2",
                "grade": "minor",
                "clause": "8.5",
                "evidence": "e",
                "auditor": "lead",
            },
            "finding_id",
        ),
        (
            "register-client",
            {
                "client_id": "nul",
                "uscc": "91440300708461136T",
                "name_zh": "零\x00字节",
                "name_en": "",
                "address": "深圳",
                "adcode": "440305",
                "personnel": 5,
                "sites": [],
            },
            "name_zh",
        ),
    ],
    ids=[
        "year-9999",
        "months-true",
        "lone-surrogate",
        "huge-password",
        "empty-id",
        "long-id",
        "nul",
    ],
)
def test_malformed_fields_are_4xx_naming_the_field_never_500(api, engine, name, body, field):
    client, as_ = api
    before = _events(engine)
    raw = json.dumps(body).encode()  # json.dumps keeps a lone surrogate as \\ud800
    who = {"suspend-certificate": "dec", "open-account": "admin1", "raise-finding": "lead"}.get(
        name, "admin1"
    )
    answer = client.post(
        f"/api/v1/commands/{name}",
        content=raw,
        headers={**as_(who), "Content-Type": "application/json"},
    )
    assert answer.status_code in (413, 422), answer.text
    if answer.status_code == 422:
        error = answer.json()["error"]
        assert error["message"].startswith(f"{field}:") and error["message_zh"], error
    assert _events(engine) == before


# .. the installation ........................................................


def test_the_documentation_pages_load_nothing_from_elsewhere(api):
    client, _ = api
    for page in ("/docs", "/redoc"):
        answer = client.get(page)
        assert answer.status_code == 200
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        for src in re.findall(r'(?:src|href)="([^"]+)"', answer.text):
            assert src.startswith("/static/docs/") or src == "/openapi.json", src
            assert client.get(src).status_code == 200
        assert "<script>" not in answer.text  # no inline script
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["apiKey"]["name"] == "X-API-Key"


def test_the_database_and_the_keys_are_the_owners_alone(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from qcert.cli.main import app

    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("QCERT_DATABASE_URL", raising=False)
    old = os.umask(0o022)  # the usual umask: files would be 0644 if made without care
    try:
        assert CliRunner().invoke(app, ["init"]).exit_code == 0
    finally:
        os.umask(old)
    database = tmp_path / "data" / "qcert.db"
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for sidecar in (tmp_path / "data").glob("qcert.db-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, sidecar
    assert stat.S_IMODE((tmp_path / "data" / "keys" / "operator.key").stat().st_mode) == 0o600
