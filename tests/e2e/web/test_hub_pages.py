"""The supervision hub's pages: the regulator's cockpit, scoped to its jurisdiction, with the
province map, warnings, referrals and campaigns; a warning acted on through its forms (a refusal
shown where the eye is); a body's portrait; and the public inspection results."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import OpenAccount
from qcert.server import create_app
from qcert.supervision.commands import CommitDraw, RaiseWarnings, RevealDraw
from qcert.supervision.draw import canonical_inputs, commitment, new_seed
from qcert.supervision.warnings import warning_id
from qcert.web.hub_text import MESSAGES
from tests.e2e.conftest import PASSWORD
from tests.services import SYSTEM, make_services
from tests.unit.supervision.test_draw import inputs

ACCOUNTS = {
    "reg-js": ["regulator@region:320000"],
    "reg-sh": ["regulator@region:310000"],
    "reg-cn": ["regulator@region:100000"],
    "plain": [],
}


def _hit(entity: str, region: str) -> dict:
    return {
        "indicator": "checkin-far",
        "entity_kind": "audit",
        "entity_id": entity,
        "body_id": "cb1",
        "org_id": "91320500MA1234567X",
        "region": region,
        "value": 42.0,
        "threshold": 5.0,
        "evidence": ["L1"],
        "day": "2026-05-10",
    }


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    for name, roles in ACCOUNTS.items():
        services.bus.handle(OpenAccount(name, name, roles, PASSWORD), SYSTEM)
    services.bus.handle(RaiseWarnings([_hit("A-1", "320506"), _hit("A-2", "310104")]), SYSTEM)
    seed = new_seed()
    doc = json.loads(canonical_inputs(inputs()))
    draw = CommitDraw("js-1", "江苏抽查", "Jiangsu checks", "320000", commitment(seed), doc)
    services.bus.handle(draw, SYSTEM)
    services.bus.handle(RevealDraw("js-1", seed), SYSTEM)
    yield services
    services.close()


def _signed_in(services, who: str) -> TestClient:
    web = TestClient(create_app(services, schedule=False), base_url="https://testserver")
    form = web.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)[1]
    done = web.post(
        "/signin",
        data={"username": who, "password": PASSWORD, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return web


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def test_the_cockpit_shows_a_regulator_its_own_jurisdiction_only(hub):
    jiangsu = _signed_in(hub, "reg-js").get("/hub")
    assert jiangsu.status_code == 200
    assert 'data-warning="' + warning_id("checkin-far", "audit", "A-1") in jiangsu.text
    assert warning_id("checkin-far", "audit", "A-2") not in jiangsu.text
    assert re.search(r'data-province="320000" data-count="1"', jiangsu.text)
    # The map counts every province: aggregates above a jurisdiction are every regulator's.
    assert re.search(r'data-province="310000" data-count="1"', jiangsu.text)
    assert 'href="/inspections/js-1"' in jiangsu.text
    nation = _signed_in(hub, "reg-cn").get("/hub")
    assert re.search(r'data-figure="open">2<', nation.text)
    assert _signed_in(hub, "plain").get("/hub").status_code == 403
    anonymous = TestClient(create_app(hub, schedule=False), base_url="https://testserver")
    assert anonymous.get("/hub", follow_redirects=False).status_code == 303  # to sign in


def test_a_warning_is_acted_on_through_its_forms_and_a_refusal_is_shown(hub):
    wid = warning_id("checkin-far", "audit", "A-1")
    web = _signed_in(hub, "reg-js")
    page = web.get(f"/hub/warnings/{wid}")
    assert page.status_code == 200 and 'data-status="open"' in page.text
    # From the warning down to the records and their proofs.
    assert 'href="/hub/v1/portraits/organisation/91320500MA1234567X"' in page.text
    moved = web.post(
        f"/hub/warnings/{wid}/change",
        data={"csrf": _csrf(page.text), "status": "investigating", "reason": "签到偏离场所"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert 'data-status="investigating"' in web.get(f"/hub/warnings/{wid}").text
    refused = web.post(
        f"/hub/warnings/{wid}/refer",
        data={"csrf": _csrf(page.text), "to": "320500", "due": "2026-07-01", "reason": "本省"},
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text and "to" in refused.text
    assert _signed_in(hub, "reg-sh").get(f"/hub/warnings/{wid}").status_code == 403
    # Nor may it act through the form: the bus refuses, and nothing is recorded.
    shanghai = _signed_in(hub, "reg-sh")
    token = _csrf(shanghai.get("/hub").text)
    posted = shanghai.post(
        f"/hub/warnings/{wid}/change",
        data={"csrf": token, "status": "dismissed", "reason": "不是我的"},
    )
    assert posted.status_code == 403
    assert 'data-status="investigating"' in web.get(f"/hub/warnings/{wid}").text


def test_the_public_sees_every_campaign_and_its_draw_in_both_languages(hub):
    web = TestClient(create_app(hub, schedule=False), base_url="https://testserver")
    listed = web.get("/inspections")
    assert listed.status_code == 200 and 'data-campaign="js-1"' in listed.text
    page = web.get("/inspections/js-1")
    assert page.status_code == 200 and "data-seed" in page.text
    assert "qcert hub rerun js-1 --url" in page.text
    web.get("/lang/en?next=/inspections/js-1")
    assert "Jiangsu checks" in web.get("/inspections/js-1").text


def test_every_hub_message_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert (zh.strip() and en.strip() and zh != en) or key.startswith("outcome."), key
