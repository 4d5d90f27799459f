"""The organisation and auditor pages in a real browser (Debian's chromium): a planner finds
an organisation by part of its name and by its credit code, opens its page and from its audit
team an auditor's record; every one of these pages at a phone's width (390 px) shows without
scrolling sideways, in both languages. Needs chromium and a CJK font (tests/e2e/web/live_server.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.web.live_server import chromium, guarded_page, served
from tests.e2e.web.staffed_world import CLIENTS, Staffed

from .test_browser_flows import sign_in
from .test_directory_pages import build

PHONE = {"width": 390, "height": 844}  # a phone's viewport, CSS pixels
PAGES = (
    "/ws/bodies/cb1/clients",
    "/ws/bodies/cb1/clients/c1",
    "/ws/bodies/cb1/auditors",
    "/ws/bodies/cb1/auditors/nov",
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    yield from build(tmp_path_factory.mktemp("browser-directory"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _wider_than_the_screen(tab: Any) -> list[str]:
    """The elements reaching past the viewport's right edge (none when nothing scrolls)."""
    return tab.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
        }"""
    )


def test_a_planner_finds_an_organisation_and_its_auditor(browser, world):
    uscc, zh, _ = CLIENTS["c1"]
    with (
        served(world.app(schedule=False)) as base,
        guarded_page(browser, base, locale="zh-CN") as tab,
    ):
        tab.base = base
        tab.set_default_timeout(10_000)
        sign_in(tab, "plan")
        tab.goto(base + "/ws/bodies/cb1")
        with tab.expect_navigation():
            tab.click("a[data-nav='clients']")
        for typed in ("精密制造", uscc[4:12]):
            tab.fill("#q", typed)
            with tab.expect_navigation():
                tab.press("#q", "Enter")
            expect(tab.locator("tr[data-client]")).to_have_count(1)
            expect(tab.locator("tr[data-client='c1']")).to_contain_text(zh)
        with tab.expect_navigation():
            tab.click("tr[data-client='c1'] a")
        assert tab.url == base + "/ws/bodies/cb1/clients/c1"
        expect(tab.locator("h1")).to_have_text(zh)
        expect(tab.locator("[data-uscc]")).to_have_text(uscc)
        with tab.expect_navigation():
            tab.click("tr[data-audit='c1-next/s1'] a[data-auditor-page='nov']")
        expect(tab.locator("h1")).to_contain_text("新审核员")
        expect(tab.locator("tr[data-sector]")).to_have_count(2)
        expect(
            tab.locator("table[data-rows='upcoming'] tr[data-audit='c1-next/s1']")
        ).to_be_visible()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_pages_fit_a_phone_without_scrolling_sideways(browser, world, locale):
    with (
        served(world.app(schedule=False)) as base,
        guarded_page(browser, base, locale=locale, viewport=PHONE) as tab,
    ):
        tab.base = base
        tab.set_default_timeout(10_000)
        tab.context.add_cookies([{"name": "qcert_lang", "value": locale, "url": base}])
        sign_in(tab, "plan")
        for path in PAGES:
            tab.goto(base + path)
            expect(tab.locator("h1")).to_be_visible()
            assert _wider_than_the_screen(tab) == [], path
            # The tables are still there, each cell naming its column.
            labels = tab.locator("table.stack td[data-label]")
            assert labels.count() > 0, path
            assert labels.first.evaluate("e => getComputedStyle(e, '::before').content") != "none"
