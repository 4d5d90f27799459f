"""A body's people and roles in the workspace: its administrator lists the accounts holding a
role at the body, creates one, grants and removes roles and disables an account; nobody else
may, and nobody changes their own roles."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from qcert.store import tables as t
from tests.e2e.web.admin_world import (  # noqa: F401
    admin_ws,
    post,
    rows,
    signed_in,
)
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401

PEOPLE = "/ws/bodies/cb1/people"


@pytest.fixture
def staffed(admin_ws):  # noqa: F811
    """Every e2e account opened (cb1's staff, cb2's decider and admin, c1's users)."""
    for who in ("rev", "plan", "lead", "dec", "dec2", "client", "admin2"):
        signed_in(admin_ws, who)
    return admin_ws


def _roles(engine, account: str) -> list[str]:
    return json.loads(rows(engine, t.accounts, id=account)[0]["roles"])


def test_the_admin_sees_the_bodys_accounts_and_no_others(staffed):
    page = signed_in(staffed, "admin1").get(PEOPLE)
    assert page.status_code == 200
    for who in ("admin1", "rev", "plan", "lead", "dec"):
        assert f'data-account="{who}"' in page.text
    for who in ("dec2", "client", "admin2", "root"):
        assert f'data-account="{who}"' not in page.text
    assert 'data-roles="application-reviewer technical-reviewer"' in page.text
    assert 'data-total="5"' in page.text


def test_the_admin_grants_removes_and_disables(staffed):
    web = signed_in(staffed, "admin1")
    granted = post(web, PEOPLE, f"{PEOPLE}/lead/grant-role", role="planner")
    assert granted.status_code == 303 and granted.headers["location"].endswith("done=grant-role")
    assert _roles(staffed.engine, "lead") == ["auditor@body:cb1", "planner@body:cb1"]
    unconfirmed = post(web, PEOPLE, f"{PEOPLE}/lead/remove-role", role="planner")
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert "planner@body:cb1" in _roles(staffed.engine, "lead")
    removed = post(web, PEOPLE, f"{PEOPLE}/lead/remove-role", role="planner", confirm="yes")
    assert removed.status_code == 303
    assert _roles(staffed.engine, "lead") == ["auditor@body:cb1"]
    disabled = post(web, PEOPLE, f"{PEOPLE}/rev/disable-account", confirm="yes")
    assert disabled.status_code == 303
    assert _roles(staffed.engine, "rev") == []
    assert 'data-account="rev"' not in web.get(PEOPLE).text
    # Each change is an event on the ledger, not a quiet edit of the table.
    with staffed.engine.connect() as conn:
        changed = conn.execute(
            t.events.select().where(
                t.events.c.type == "account.roles-changed", t.events.c.aggregate == "account:rev"
            )
        ).all()
    assert len(changed) == 1


def test_a_disabled_account_is_signed_out(staffed):
    rev = signed_in(staffed, "rev")
    assert rev.get("/ws/bodies/cb1").status_code == 200
    web = signed_in(staffed, "admin1")
    assert post(web, PEOPLE, f"{PEOPLE}/rev/disable-account", confirm="yes").status_code == 303
    assert rev.get("/ws/bodies/cb1", follow_redirects=False).status_code == 303


def test_nobody_changes_their_own_roles_and_the_page_says_why(staffed):
    web = signed_in(staffed, "admin1")
    # The page offers no form on one's own row; a crafted post is refused with the reason.
    assert 'data-form="manage-admin1"' not in web.get(PEOPLE).text
    refused = post(web, PEOPLE, f"{PEOPLE}/admin1/grant-role", role="planner")
    assert refused.status_code == 403 and 'data-rule="access.role"' in refused.text
    assert "nobody changes their own roles" in refused.text or "不能变更自己的角色" in refused.text
    assert _roles(staffed.engine, "admin1") == ["cb-admin@body:cb1"]


def test_an_account_of_another_body_keeps_its_roles_there(staffed):
    signed_in(staffed, "root")
    web = signed_in(staffed, "admin1")
    # dec2 holds a role at cb2 only: cb1's admin may add cb1's role, never touch cb2's.
    assert post(web, PEOPLE, f"{PEOPLE}/dec2/grant-role", role="auditor").status_code == 303
    assert _roles(staffed.engine, "dec2") == ["auditor@body:cb1", "decision-maker@body:cb2"]
    assert post(web, PEOPLE, f"{PEOPLE}/dec2/disable-account", confirm="yes").status_code == 303
    assert _roles(staffed.engine, "dec2") == ["decision-maker@body:cb2"]


def test_the_admin_creates_an_account_with_the_bodys_roles(staffed):
    web = signed_in(staffed, "admin1")
    made = post(
        web,
        PEOPLE,
        PEOPLE,
        account_id="newcomer",
        display_name="新同事",
        password="a long first password",
        roles=["auditor", "planner"],
    )
    assert made.status_code == 303
    assert _roles(staffed.engine, "newcomer") == ["auditor@body:cb1", "planner@body:cb1"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"roles": ["regulator"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"password": "short"}, "password"),
        ({"account_id": "Bad Id"}, "account_id"),
        ({"display_name": "x" * 201}, "display_name"),
    ],
)
def test_a_bad_field_of_a_new_account_is_named(staffed, fields, named):
    good = {
        "account_id": "newcomer",
        "display_name": "新同事",
        "password": "a long first password",
        "roles": ["auditor"],
    }
    refused = post(signed_in(staffed, "admin1"), PEOPLE, PEOPLE, **{**good, **fields})
    assert refused.status_code == 422 and named in refused.text
    assert 'role="alert"' in refused.text
    assert not rows(staffed.engine, t.accounts, id="newcomer")


@pytest.mark.parametrize("who", ["lead", "dec", "rev", "dec2", "admin2", "client"])
def test_a_lesser_role_another_body_or_an_organisation_cannot_manage_people(staffed, who):
    web = signed_in(staffed, who)
    assert web.get(PEOPLE).status_code == 403
    sent = post(web, "/account", f"{PEOPLE}/plan/grant-role", role="cb-admin")
    assert sent.status_code == 403
    made = post(
        web,
        "/account",
        PEOPLE,
        account_id="sneaky",
        display_name="x",
        password="a long first password",
        roles=["cb-admin"],
    )
    assert made.status_code == 403
    assert _roles(staffed.engine, "plan") == ["planner@body:cb1"]
    assert not rows(staffed.engine, t.accounts, id="sneaky")


def test_anonymous_is_sent_to_sign_in(staffed):
    web = TestClient(staffed.app, base_url="https://testserver")
    page = web.get(PEOPLE, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    sent = web.post(f"{PEOPLE}/plan/disable-account", follow_redirects=False)
    assert sent.status_code == 303 and _roles(staffed.engine, "plan") == ["planner@body:cb1"]


def test_an_unknown_account_or_action_is_not_found(staffed):
    web = signed_in(staffed, "admin1")
    assert post(web, PEOPLE, f"{PEOPLE}/nobody/grant-role", role="auditor").status_code == 404
    assert post(web, PEOPLE, f"{PEOPLE}/plan/promote", role="auditor").status_code == 404
