"""The phone check-in page in a real browser (Debian's chromium, a phone-sized viewport): the
browser grants the position, the auditor takes a photo and checks in, and the certification's
page shows the check-in with its photo's hash; without the position the page says why and
nothing can be sent. Needs chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from qcert.lifecycle import PlanAudit, ReviewContract
from qcert.store import create_engine, migrate
from qcert.store import tables as t
from tests.e2e.web.live_server import chromium, guarded_page, served
from tests.e2e.web.staffed_world import Staffed, staff
from tests.integration.lifecycle.conftest import SITES
from tests.photos import jpeg

from .test_browser_flows import sign_in

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the body's day
HQ = SITES[0]
PAGE = "/ws/bodies/cb1/certifications/c1-run/audits/s1/check-in"
PHONE = {"width": 390, "height": 844}  # a phone's viewport, CSS pixels


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Staffed]:
    """cb1's certification of c1 with a stage 1 audit at its head office, held today by lead."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, tmp_path)
    world.apply("c1-run", "cb1", "c1")
    world.run(ReviewContract("c1-run", "rev"))
    team = [{"auditor": "lead", "role": "lead"}]
    world.run(PlanAudit("c1-run", "s1", "stage1", team, "FS01", TODAY, TODAY, 1.0, ["hq"]))
    yield world
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _tab(browser: Any, base: str, **context: Any) -> Any:
    return guarded_page(browser, base, locale="zh-CN", viewport=PHONE, **context)


def _checkins(world: Staffed) -> list[dict]:
    with world.engine.connect() as conn:
        docs = conn.execute(
            sa.select(t.events.c.document).where(t.events.c.type == "certification.checked-in")
        ).scalars()
        return [json.loads(d)["data"] for d in docs]


def test_an_auditor_checks_in_from_the_phone_with_position_and_photo(browser, staffed, tmp_path):
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg(HQ["lat"], HQ["lon"]))
    sha256 = hashlib.sha256(photo.read_bytes()).hexdigest()
    position = {"latitude": HQ["lat"] + 0.001, "longitude": HQ["lon"], "accuracy": 12}
    with (
        served(staffed.app(schedule=False)) as base,
        _tab(browser, base, permissions=["geolocation"], geolocation=position) as tab,
    ):
        tab.base = base
        tab.set_default_timeout(10_000)
        sign_in(tab, "lead")
        tab.goto(base + "/ws/bodies/cb1/certifications/c1-run")
        with tab.expect_navigation():
            tab.click("a[data-checkin-page='s1']")
        assert tab.url == base + PAGE
        status = tab.locator("#position")
        expect(status).to_have_attribute("data-state", "found")
        expect(status).to_contain_text("精度约 12 米")
        expect(tab.locator("#submit")).to_be_enabled()
        tab.set_input_files("#photo", str(photo))
        with tab.expect_navigation():
            tab.click("#submit")
        assert "/certifications/c1-run?done=check-in" in tab.url
        expect(tab.locator("[data-done='check-in']")).to_be_visible()
        expect(tab.locator(f"tr[data-audit='s1'] [data-photo='{sha256}']")).to_be_visible()
        expect(tab.locator("tr[data-audit='s1']")).to_contain_text("精度 12 米")
    [event] = _checkins(staffed)
    assert event["photo_sha256"] == sha256 and event["accuracy_m"] == 12
    assert event["lat"] == pytest.approx(HQ["lat"] + 0.001) and "anomaly" not in event
    assert staffed.services.documents.read(sha256, event["photo_sm3"]) == photo.read_bytes()


def test_without_the_position_the_page_says_why_and_sends_nothing(browser, staffed):
    # No geolocation permission: the browser refuses the page its position.
    with served(staffed.app(schedule=False)) as base, _tab(browser, base) as tab:
        tab.base = base
        tab.set_default_timeout(10_000)
        sign_in(tab, "lead")
        tab.goto(base + PAGE)
        status = tab.locator("#position")
        expect(status).to_have_attribute("data-state", "denied")
        expect(status).to_contain_text("您拒绝了位置权限")
        expect(tab.locator("#submit")).to_be_disabled()
        assert tab.locator("input[name='lat'][type='number']").count() == 0  # no typing it in
    assert _checkins(staffed) == []
