"""A body's administration pages over TestClient: the lifecycle world of
tests/integration/lifecycle/conftest.py (cb1 and cb2, organisation c1) with the e2e accounts
(tests/e2e/conftest.py) and a cb-admin of cb2, each opened when first signed in."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.lifecycle import OpenAccount
from qcert.server import create_app
from tests.e2e.conftest import ACCOUNTS, PASSWORD
from tests.services import make_services

__all__ = ["PEOPLE", "TODAY", "csrf_of", "post", "rows", "signed_in"]

PEOPLE = {**ACCOUNTS, "admin2": ["cb-admin@body:cb2"]}
# The body's day (Asia/Shanghai), the one its rules date things by.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def admin_ws(world, engine, tmp_path):
    services = make_services(engine, tmp_path / "services")
    app = create_app(services, schedule=False)
    return SimpleNamespace(app=app, engine=engine, bus=world, opened=set(), services=services)


def signed_in(ws: Any, who: str) -> TestClient:
    """A browser (HTTPS, so the Secure session cookie is sent) signed in as ``who``."""
    if who not in ws.opened:
        ws.bus(OpenAccount(who, who, PEOPLE[who], PASSWORD))
        ws.opened.add(who)
    web = TestClient(ws.app, base_url="https://testserver")
    form = web.get("/signin")
    done = web.post(
        "/signin",
        data={"username": who, "password": PASSWORD, "csrf": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return web


def csrf_of(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def post(web: TestClient, page: str, action: str, **fields: Any) -> Any:
    """Post ``fields`` to ``action`` with the CSRF token of ``page`` (the viewer's session)."""
    token = csrf_of(web.get(page).text)
    return web.post(action, data={"csrf": token, **fields}, follow_redirects=False)


def rows(engine: sa.Engine, table: sa.Table, **where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
        return [dict(r) for r in conn.execute(query).mappings()]
