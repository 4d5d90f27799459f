"""The body's administration pages and the notices page on a phone (390 px, Debian's
chromium): the cases list and a case's page, people and roles, the client forms and the
notices page show without scrolling sideways, in zh-CN and en, each table's rows as cards
whose cells name their column. Needs chromium and a CJK font (tests/e2e/web/live_server.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from qcert.notices import Due, SendNotices
from tests.e2e.web.live_server import chromium, guarded_page, served
from tests.e2e.web.test_access_matrix import Matrix, _matrix

from .test_browser_directory import PHONE, _wider_than_the_screen
from .test_browser_flows import sign_in

# Each page, and the table on it whose rows become cards (None: a page of forms).
PAGES = {
    "/ws/bodies/cb1/cases": "cases",
    "/ws/bodies/cb1/cases/case-cb1": "history",
    "/ws/bodies/cb1/people": "people",
    "/ws/bodies/cb1/client-forms": None,
    "/ws/notices": "notices",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    for built in _matrix(tmp_path_factory.mktemp("phone-admin")):
        # A notice to cb1's administrator, so the notices page has a row to show.
        due = Due("admin1", "case-open", "body", "c1-active", "case-cb1", "", "cb1", "c1")
        built.world.run(SendNotices((due,)))
        yield built


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_admin_pages_fit_a_phone_without_scrolling_sideways(browser, world, locale):
    with (
        served(world.world.app(schedule=False)) as base,
        guarded_page(browser, base, locale=locale, viewport=PHONE) as tab,
    ):
        tab.base = base
        tab.set_default_timeout(10_000)
        tab.context.add_cookies([{"name": "qcert_lang", "value": locale, "url": base}])
        sign_in(tab, "admin1")
        wide = {}
        for path, rows in PAGES.items():
            tab.goto(base + path)
            expect(tab.locator("h1")).to_be_visible()
            assert tab.locator("html").get_attribute("lang") == locale
            found = _wider_than_the_screen(tab)
            if found:
                wide[path] = found
            if rows is None:
                continue
            # The table is still there, its rows cards whose cells name their column.
            cells = tab.locator(f"table.stack[data-rows='{rows}'] td[data-label]")
            assert cells.count() > 0, path
            before = cells.first.evaluate("e => getComputedStyle(e, '::before').content")
            assert before not in ("none", "normal", '""'), path
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390 or wide
        assert not wide, wide


def test_the_admin_forms_set_each_label_above_its_field(browser, world):
    # Written inline, a form's labels and fields ran on as a sentence, a label broken across
    # lines from its field; the workspace's forms stack each label over its field.
    desktop = {"width": 1280, "height": 900}
    forms = ("/ws/bodies/cb1/client-forms", "/ws/bodies/cb1/cases", "/ws/bodies/cb1/people")
    with (
        served(world.world.app(schedule=False)) as base,
        guarded_page(browser, base, locale="zh-CN", viewport=desktop) as tab,
    ):
        tab.base = base
        sign_in(tab, "admin1")
        for path in forms:
            tab.goto(base + path)
            pairs = tab.locator("form[method=post] label[for]").evaluate_all(
                """ls => ls.map(l => {
                    const f = document.getElementById(l.htmlFor);
                    if (!f || f.type === "checkbox" || f.type === "hidden") return null;
                    const a = l.getBoundingClientRect(), b = f.getBoundingClientRect();
                    return [l.htmlFor, a.bottom <= b.top + 1, Math.abs(a.left - b.left) < 2];
                }).filter(Boolean)"""
            )
            assert len(pairs) >= 3, (path, pairs)
            assert all(above and aligned for _, above, aligned in pairs), (path, pairs)
