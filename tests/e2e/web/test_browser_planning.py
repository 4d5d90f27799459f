"""Planning in a real browser (Debian's chromium): the planner plans an audit with an auditor
who is booked at another organisation on those days; the page comes back with the refusal at
its top, scrolled to and focused, naming the audit in the way. Needs chromium and a CJK font:
see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
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

from .test_browser_flows import sign_in

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the body's day
DAY = TODAY + timedelta(days=7)
PAGE = "/ws/bodies/cb1/certifications/c2-new"


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Staffed]:
    """cb1's ``lead`` on c1's stage 1 a week from today; c2's certification contract-reviewed."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, tmp_path)
    world.apply("c1-run", "cb1", "c1")
    world.run(ReviewContract("c1-run", "rev"))
    team = [{"auditor": "lead", "role": "lead"}]
    world.run(PlanAudit("c1-run", "s1", "stage1", team, "FS01", DAY, DAY, 1.0, ["hq"]))
    world.apply("c2-new", "cb1", "c2")
    world.run(ReviewContract("c2-new", "rev"))
    yield world
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_a_double_booking_is_refused_and_shown_at_the_top_with_the_focus(browser, staffed):
    with (
        served(staffed.app(schedule=False)) as base,
        guarded_page(browser, base, locale="zh-CN") as tab,
    ):
        tab.base = base
        tab.set_default_timeout(30_000)  # a loaded machine is slow, not wrong
        sign_in(tab, "plan")
        tab.goto(base + PAGE)
        form = tab.locator("section[data-form='plan-audit'] form")
        form.locator("input[name='start']").fill(DAY.isoformat())
        form.locator("input[name='end']").fill(DAY.isoformat())
        form.locator("input[name='planned_days']").fill("1")
        form.locator("select[name='role.lead']").select_option("lead")
        with tab.expect_navigation():
            form.locator("button[type=submit]").click()
        refusal = tab.locator("#refusal")
        expect(refusal).to_have_attribute("data-refusal", "audit.double-booking")
        expect(refusal).to_be_focused()
        expect(refusal).to_be_in_viewport()
        expect(refusal).to_contain_text("审核组第 1 名成员：lead 已在")
        expect(refusal).to_contain_text("示例精密制造有限公司")
        expect(refusal).to_contain_text("认证项目 c1-run")
        # At the top: above the page's sections, far above the form that was sent.
        top = refusal.bounding_box()
        sent = tab.locator("section[data-form='plan-audit']").bounding_box()
        assert top and sent and top["y"] < tab.locator("nav.sections").bounding_box()["y"]
        assert top["y"] < sent["y"]
        # What was typed is kept, and the planner sees lead's other audit on those days.
        expect(form.locator("input[name='start']")).to_have_value(DAY.isoformat())
        busy = tab.locator("tr[data-auditor-availability='lead']")
        expect(busy).to_have_attribute("data-free", "no")
        expect(busy.locator("[data-commitment='c1-run/s1']")).to_be_visible()
    with staffed.engine.connect() as conn:
        mine = sa.select(t.audits).where(t.audits.c.certification_id == "c2-new")
        assert conn.execute(mine).all() == []
