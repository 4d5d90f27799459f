"""An appeal handled to its end in a real browser: the body's administrator opens the body's
complaints and appeals, receives an appeal whose handler was involved (refused, shown at the
top), opens an appeal, acknowledges it, records progress and decides it as its named decider,
confirming the closure.

Needs Debian's chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from qcert.lifecycle import OpenCase
from qcert.store import create_engine, migrate
from qcert.store import tables as t
from tests.e2e.web.admin_world import rows
from tests.e2e.web.live_server import chromium, guarded_page, served, sign_in
from tests.e2e.web.staffed_world import Staffed, staff

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
OUTCOME = "经复核维持原判定 / the grading is upheld after review"


@pytest.fixture
def appealed(tmp_path: Path) -> Iterator[Staffed]:
    """The staffed world (a SQLite file: the server thread opens its own connections) with
    cb1's certificate for c1 and an appeal against it, given to cb1's administrator."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, tmp_path)
    world.certify("cert1", "cb1", "c1", "00126Q3CASE1", TODAY - timedelta(days=60))
    world.run(OpenCase("appeal-1", "appeal", "cert1", "admin1", "客户对认证决定提出申诉"))
    yield world
    engine.dispose()


@pytest.fixture
def tab(appealed: Staffed) -> Iterator[Any]:
    with (
        chromium() as browser,
        served(appealed.app(schedule=False)) as base,
        guarded_page(
            browser, base, locale="zh-CN", viewport={"width": 1280, "height": 900}
        ) as page,
    ):
        page.base = base
        page.set_default_timeout(10_000)
        yield page


def test_the_administrator_handles_an_appeal_to_its_end(tab, appealed):
    sign_in(tab, "admin1")
    tab.goto(tab.base + "/ws/bodies/cb1")
    tab.click("a[data-nav='cases']")
    expect(tab.locator("[data-total]")).to_have_attribute("data-open", "1")
    # Receiving an appeal with the decider of the certification as its handler is refused,
    # and the refusal is the first thing under the title.
    form = tab.locator("section[data-form='open-case']")
    form.locator("[name=case_id]").fill("appeal-2")
    form.locator("[name=kind]").select_option("appeal")
    form.locator("[name=certification_id]").fill("cert1")
    form.locator("[name=handler]").fill("dec")
    form.locator("[name=summary]").fill("客户对暂停决定提出申诉")
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    alert = tab.locator("main [role=alert]").first
    expect(alert).to_have_attribute("data-rule", "case.independence")
    assert alert.evaluate("a => a.getBoundingClientRect().top") < 300
    # The open appeal is first in the list; open it and decide it.
    first = tab.locator("table[data-rows='cases'] tbody tr").first
    expect(first).to_have_attribute("data-case", "appeal-1")
    with tab.expect_navigation():
        first.locator("a").first.click()
    expect(tab.locator("h1[data-case]")).to_have_attribute("data-resolved", "no")
    # Receipt is acknowledged, then information gathered is recorded (9.7.6-9.7.7).
    for form_name, note in (
        ("acknowledge-case", "已书面确认收到申诉"),
        ("record-case-progress", "已调阅第二阶段审核报告并约谈审核组"),
    ):
        step = tab.locator(f"section[data-form='{form_name}']")
        step.locator("[name=note]").fill(note)
        with tab.expect_navigation():
            step.locator("button[type=submit]").click()
        expect(tab.locator(f"[data-done='{form_name}']")).to_be_visible()
        expect(tab.locator("table[data-rows='history']")).to_contain_text(note)
    expect(tab.locator("[data-acknowledged]")).to_have_attribute("data-acknowledged", "yes")
    expect(tab.locator("section[data-form='acknowledge-case']")).to_have_count(0)
    resolve = tab.locator("section[data-form='resolve-case']")
    resolve.locator("[name=outcome]").fill(OUTCOME)
    resolve.locator("[name=on]").fill(TODAY.isoformat())
    # Closing is irreversible: the browser will not send the form until it is confirmed.
    resolve.locator("button[type=submit]").click()
    expect(tab.locator("h1[data-case]")).to_have_attribute("data-resolved", "no")
    resolve.locator("[name=confirm]").check()
    with tab.expect_navigation():
        resolve.locator("button[type=submit]").click()
    expect(tab.locator("[data-done='resolve-case']")).to_be_visible()
    expect(tab.locator("h1[data-case]")).to_have_attribute("data-resolved", "yes")
    expect(tab.locator("[data-outcome]")).to_have_text(OUTCOME)
    expect(tab.locator("[data-decider]")).to_have_attribute("data-decider", "admin1")
    expect(tab.locator("tr[data-event='case.resolved']")).to_have_count(1)
    expect(tab.locator("section[data-form='resolve-case']")).to_have_count(0)
    (case,) = rows(appealed.engine, t.cases, id="appeal-1")
    assert case["resolved"] and case["outcome"] == OUTCOME
    # Back on the list, nothing is left open.
    tab.click("a[data-nav='cases']")
    expect(tab.locator("[data-total]")).to_have_attribute("data-open", "0")
