"""In a real browser: a body's staff and the organisation's administrator each see the notice of
a finding past its answer deadline, counted in the header, and follow it to the finding.

Needs Debian's chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from qcert.store import create_engine, migrate
from tests.e2e.web.live_server import chromium, guarded_page, served, sign_in
from tests.e2e.web.noticed_world import TODAY, noticed
from tests.e2e.web.staffed_world import Staffed


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Staffed]:
    """The noticed world on a SQLite file (the server thread opens its own connections), with
    the notices of today sent."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    w = noticed(engine, tmp_path)
    w.services.notifier.run(TODAY)
    yield w
    engine.dispose()


@pytest.fixture
def tab(world: Staffed) -> Iterator[Any]:
    with (
        chromium() as browser,
        served(world.app(schedule=False)) as base,
        guarded_page(
            browser, base, locale="en-GB", viewport={"width": 1280, "height": 900}
        ) as page,
    ):
        page.base = base
        page.set_default_timeout(10_000)
        yield page


def test_a_notice_of_a_finding_past_due_leads_to_the_finding(tab):
    # The body's administrator: the header counts five unread notices.
    sign_in(tab, "admin1")
    header = tab.locator("header a[href='/ws/notices']")
    expect(header).to_have_attribute("data-notices-unread", "5")
    with tab.expect_navigation():
        header.click()
    late = tab.locator("tr[data-kind='finding-overdue']")
    expect(late).to_have_count(1)
    expect(late).to_contain_text("past its answer deadline")
    with tab.expect_navigation():
        late.locator("a[data-notice-link]").click()
    assert tab.url.endswith("/ws/bodies/cb1/certifications/c1-b#findings")
    expect(tab.locator("tr[data-finding='f1']")).to_have_attribute("data-status", "open")
    # Back on the notices, marking it read takes one off the count.
    tab.goto(tab.base + "/ws/notices")
    with tab.expect_navigation():
        tab.locator("tr[data-kind='finding-overdue'] button[data-mark-read]").click()
    expect(tab.locator("tr[data-kind='finding-overdue']")).to_have_attribute("data-read", "yes")
    expect(tab.locator("header a[href='/ws/notices']")).to_have_attribute(
        "data-notices-unread", "4"
    )
    tab.click("form[action='/signout'] button")
    # The organisation's administrator follows the same notice to its answer form.
    sign_in(tab, "cadmin")
    with tab.expect_navigation():
        tab.locator("header a[href='/ws/notices']").click()
    with tab.expect_navigation():
        tab.locator("tr[data-kind='finding-overdue'] a[data-notice-link]").click()
    assert tab.url.endswith("/portal/c1/findings#finding-c1-b-f1")
    expect(tab.locator("#finding-c1-b-f1")).to_be_visible()
