"""Every form of the cases, people, client-form and notices pages, posted by the wrong person:
anonymous (sent to sign in), another body's staff and administrator, an organisation's user
and a lesser role of the right body. Each is refused and nothing is recorded: neither the
ledger nor the events it projects grow. Then the right person posts the very same form and it
goes through, so only the principal was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.lifecycle import OpenAccount, OpenCase
from qcert.lifecycle.aggregate import add_months
from qcert.notices import Due, SendNotices
from qcert.notices.model import notice_id
from qcert.store import tables as t
from qcert.web.input_text import MESSAGES as INPUT_TEXT
from tests.e2e.conftest import PASSWORD
from tests.e2e.web.admin_world import (  # noqa: F401
    PEOPLE,
    TODAY,
    admin_ws,
    csrf_of,
    signed_in,
)
from tests.e2e.web.test_client_forms import CLIENT
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.services import SYSTEM

ANONYMOUS = "anonymous"
CB1, CB2 = "/ws/bodies/cb1", "/ws/bodies/cb2"
DAY = TODAY.isoformat()
# A notice to cb1's administrator about the open appeal (sent in the world below).
NOTICE = Due("admin1", "case-open", "body", "cert1", "case-2", "", "cb1", "c1")
NOTICE_ID = notice_id("admin1", "case-open", "cert1", "case-2", "")
# Extra accounts: an auditor of cb2 (a lesser role there), beside tests/e2e/conftest.py's.
EXTRA = {"aud2": ["auditor@body:cb2"]}


@dataclass(frozen=True)
class Form:
    """A form, the fields its command would accept, who may post it and who may not."""

    name: str
    path: str
    right: str
    fields: dict[str, Any]
    wrong: tuple[str, ...]


_OUTSIDERS = (ANONYMOUS, "dec2", "admin2", "client")
FORMS = [
    Form(
        "open-case",
        f"{CB1}/cases",
        "admin1",
        {
            "case_id": "c9",
            "kind": "complaint",
            "certification_id": "cert1",
            "handler": "handler1",
            "summary": "投诉 / complaint",
        },
        (*_OUTSIDERS, "lead"),
    ),
    Form(
        "resolve-case",
        f"{CB1}/cases/case-2/resolve",
        "admin1",
        {"outcome": "维持原判定", "on": DAY, "confirm": "yes"},
        (*_OUTSIDERS, "lead", "dec"),
    ),
    Form(
        "open-account",
        f"{CB1}/people",
        "admin1",
        {"account_id": "newcomer", "display_name": "新同事", "password": "a long first password"}
        | {"roles": "auditor"},
        (*_OUTSIDERS, "dec", "plan"),
    ),
    Form(
        "grant-role",
        f"{CB1}/people/plan/grant-role",
        "admin1",
        {"role": "auditor"},
        (*_OUTSIDERS, "dec", "lead"),
    ),
    Form(
        "remove-role",
        f"{CB1}/people/rev/remove-role",
        "admin1",
        {"role": "technical-reviewer", "confirm": "yes"},
        (*_OUTSIDERS, "dec", "lead"),
    ),
    Form(
        "disable-account",
        f"{CB1}/people/plan/disable-account",
        "admin1",
        {"confirm": "yes"},
        (*_OUTSIDERS, "dec", "lead"),
    ),
    Form(
        "register-client",
        f"{CB1}/client-forms/register-client",
        "admin1",
        CLIENT,
        (*_OUTSIDERS, "lead"),
    ),
    Form(
        "change-scope",
        f"{CB1}/client-forms/change-scope",
        "dec",
        {"certification_id": "cert1", "change": "reduce", "scope": "精密零件", "sites": "hq"}
        | {"on": DAY},
        (*_OUTSIDERS, "lead"),
    ),
    # cb2 takes over cb1's certificate (IAF MD 2): cb1's staff are the other body here.
    Form(
        "accept-transfer",
        f"{CB2}/client-forms/accept-transfer",
        "dec2",
        {"certification_id": "cert1-cb2", "from_certification_id": "cert1"}
        | {"reviewer": "rev-cb2", "number": "CB2-0001", "on": DAY},
        (ANONYMOUS, "dec", "admin1", "client", "aud2"),
    ),
    # A notice is its recipient's alone: the same body's other staff are no better.
    Form(
        "mark-read",
        f"/ws/notices/{NOTICE_ID}/read",
        "admin1",
        {"page": "1"},
        (ANONYMOUS, "dec2", "client", "lead", "dec"),
    ),
    # Anyone signed in sets their own address: only a visitor is refused.
    Form(
        "notice-address", "/ws/notices/address", "lead", {"email": "lead@cb1.example"}, (ANONYMOUS,)
    ),
]


@pytest.fixture
def ready(admin_ws):  # noqa: F811
    """cb1's certificate ``cert1`` with an open appeal, every account opened, and a notice of
    the appeal to cb1's administrator."""
    run = admin_ws.bus
    # Granted half a year ago: a live certificate another body may take over (IAF MD 2).
    certify(run, "cert1", on=add_months(TODAY, -6) - timedelta(days=1))
    run(OpenCase("case-2", "appeal", "cert1", "handler1", "客户对判定提出申诉"))
    for who, roles in {**PEOPLE, **EXTRA}.items():
        run(OpenAccount(who, who, roles, PASSWORD))
        admin_ws.opened.add(who)
    admin_ws.services.bus.handle(SendNotices((NOTICE,)), SYSTEM)
    return admin_ws


def _recorded(ws: Any) -> tuple[int, int]:
    """The ledger's size and how many events its projections hold."""
    with ws.engine.connect() as conn:
        events = conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()
    return ws.services.ledger.size(), events


def _as(ws: Any, who: str) -> TestClient:
    if who == ANONYMOUS:
        return TestClient(ws.app, base_url="https://testserver")
    return signed_in(ws, who)


def _post(web: TestClient, path: str, fields: dict[str, Any]) -> Any:
    """Post ``fields`` to ``path`` with the viewer's own CSRF token (from their account page)."""
    token = csrf_of(web.get("/account").text)
    return web.post(path, data={"csrf": token, **fields}, follow_redirects=False)


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_the_wrong_person_is_refused_and_nothing_is_recorded(ready, form: Form) -> None:
    before = _recorded(ready)
    for who in form.wrong:
        web = _as(ready, who)
        if who == ANONYMOUS:
            sent = web.post(form.path, data=form.fields, follow_redirects=False)
            assert sent.status_code == 303, (form.name, who)
            assert sent.headers["location"].startswith("/signin"), (form.name, who)
        else:
            sent = _post(web, form.path, form.fields)
            # 403 names the rule; 404 when the record is not there for them to act on.
            assert sent.status_code in (403, 404), (form.name, who, sent.status_code)
            assert 'data-status="403"' in sent.text or 'data-status="404"' in sent.text
        assert _recorded(ready) == before, (form.name, who)
    done = _post(signed_in(ready, form.right), form.path, form.fields)
    assert done.status_code == 303, (form.name, done.text[:400])
    size, events = _recorded(ready)
    assert size > before[0] and events > before[1]


def test_a_nul_byte_in_a_field_is_refused_by_name_and_records_nothing(ready) -> None:
    before = _recorded(ready)
    web = signed_in(ready, "admin1")
    fields = {**FORMS[0].fields, "summary": "投诉\x00"}
    sent = _post(web, f"{CB1}/cases", fields)
    assert sent.status_code == 422
    zh, en = INPUT_TEXT["input.control"]
    assert zh.format(field="summary") in sent.text or en.format(field="summary") in sent.text
    assert _recorded(ready) == before
