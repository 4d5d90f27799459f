"""The workspace at phone width (390 px, as an auditor on site holds it): no page scrolls
sideways, wide tables scroll inside their own box, a refusal takes the focus, and the
monthly chart shows its last label whole. Also: the transparency page wraps its long keys.

Needs Debian's chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from qcert.lifecycle import CompleteAudit, OpenAccount, PlanAudit, RaiseFinding
from qcert.store import create_engine, migrate
from tests.e2e.web.live_server import chromium, guarded_page, served, sign_in
from tests.e2e.web.staffed_world import PASSWORD, Staffed, staff
from tests.office_files import renamed_exe

PHONE = {"width": 390, "height": 844}
LONG = "检验记录-批次-2026-0001-0002-0003-0004-0005-0006-0007-0008-0009.txt"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Staffed, str]]:
    """c1 certified by cb1 with an open finding and a long-named document, a regulator, and
    the app served: one world for every page below (they only read it)."""
    root: Path = tmp_path_factory.mktemp("phone")
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, root)
    today = datetime.now(UTC).date()
    on = today - timedelta(days=120)
    world.certify("c1-phone", "cb1", "c1", "N-PHONE-0001", on)
    team = [{"auditor": "lead", "role": "lead"}]
    sv = today - timedelta(days=3)
    sites = ["hq", "plant"]
    world.run(PlanAudit("c1-phone", "sv1", "surveillance", team, "FS01", sv, sv, 1.0, sites))
    evidence = "首件检验记录缺失；" + "记录编号QR-2026-000123456789" * 3
    world.run(RaiseFinding("c1-phone", "f1", "sv1", "minor", "8.5", evidence, "lead"))
    world.run(CompleteAudit("c1-phone", "sv1", 1.0, sv))
    world.apply("c1-applied", "cb2", "c1")
    world.upload("c1", LONG, b"lot,result\n42,pass\n", "c1-phone")
    world.run(OpenAccount("reg", "reg", ["regulator@region:110000"], PASSWORD))
    with served(world.app(schedule=False)) as base:
        yield world, base
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _phone(browser: Any, base: str, who: str) -> Any:
    """A phone-sized tab signed in as ``who`` (a context manager)."""
    return guarded_page(browser, base, locale="zh-CN", viewport=PHONE, is_mobile=True)


def _sideways(tab: Any) -> int:
    """How far the page itself scrolls sideways (0: not at all)."""
    return tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")


PAGES = {
    "dec": [
        "/ws/bodies/cb1",
        "/ws/bodies/cb1/certifications",
        "/ws/bodies/cb1/certifications/c1-phone",
    ],
    "dec2": ["/ws/bodies/cb2/certifications/c1-applied"],
    "client": [
        "/portal/c1",
        "/portal/c1/plan",
        "/portal/c1/apply",
        "/portal/c1/findings",
        "/portal/c1/documents",
        "/portal/c1/certificates",
        "/portal/c1/users",
        "/workspace",
        "/account",
    ],
    "reg": ["/hub"],
    "root": ["/transparency", "/workspace"],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_no_workspace_page_scrolls_sideways_at_phone_width(world, browser, who):
    _, base = world
    with _phone(browser, base, who) as tab:
        tab.set_default_timeout(10_000)
        sign_in(tab, who, base)
        wide = {}
        for path in PAGES[who]:
            answer = tab.goto(base + path)
            assert answer.status == 200, path
            tab.wait_for_load_state("load")
            assert tab.evaluate("window.innerWidth") == 390
            if _sideways(tab) > 0:
                wide[path] = tab.evaluate("document.documentElement.scrollWidth")
        assert wide == {}, f"pages wider than 390 px: {wide}"


def test_a_wide_table_scrolls_in_its_own_box_and_stays_readable(world, browser):
    _, base = world
    with _phone(browser, base, "client") as tab:
        sign_in(tab, "client", base)
        tab.goto(base + "/portal/c1/documents")
        table = tab.locator("table[data-table='documents']")
        box = table.evaluate(
            "t => { const b = t.closest('.table-wrap') || t; const s = getComputedStyle(b);"
            " return [b.scrollWidth, b.clientWidth, s.overflowX]; }"
        )
        scroll_width, width, overflow = box
        assert overflow == "auto" and width <= 390
        assert scroll_width > width  # nine columns: they scroll, they are not crushed
        assert _sideways(tab) == 0
        # Every cell is a few characters wide, never one (Chinese) character a line.
        for path, name in (
            ("/portal/c1/documents", "documents"),
            ("/portal/c1/findings", "findings"),
            ("/portal/c1/plan", "past"),
            ("/portal/c1", "certifications"),
        ):
            tab.goto(base + path)
            cells = tab.locator(f"table[data-table='{name}'] td")
            widths = cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().width)")
            assert widths and min(widths) >= 80, (path, widths)


def test_a_certifications_tables_stack_into_cards_with_their_labels(world, browser):
    # Its audits carry long check-in lines: as columns of a scrolling table, each row grew
    # taller than the screen; as cards, each value is read under its label.
    _, base = world
    with _phone(browser, base, "dec") as tab:
        sign_in(tab, "dec", base)
        tab.goto(base + "/ws/bodies/cb1/certifications/c1-phone")
        for name in ("audits", "findings", "documents", "programme"):
            table = tab.locator(f"table[data-rows='{name}']")
            scroll, width = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
            assert scroll <= width + 1 and width <= 390, name
            cells = table.locator("td")
            widths = cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().width)")
            assert widths and min(widths) >= 300, (name, widths)  # a card's full width
            labels = cells.evaluate_all("cs => cs.map(c => c.dataset.label || '')")
            assert all(labels), (name, labels)
        label = tab.locator("table[data-rows='findings'] td").first.evaluate(
            "c => getComputedStyle(c, '::before').content"
        )
        assert label == '"发现编号"'
        assert _sideways(tab) == 0


def test_a_refusal_takes_the_focus_at_the_top_of_the_page(world, browser):
    _, base = world
    with _phone(browser, base, "client") as tab:
        sign_in(tab, "client", base)
        tab.goto(base + "/portal/c1/documents")
        tab.set_input_files(
            "#file", {"name": "setup.docx", "mimeType": "application/pdf", "buffer": renamed_exe()}
        )
        tab.fill("#purpose", "records")
        with tab.expect_navigation():
            tab.click("form[data-form='upload'] button[type=submit]")
        alert = tab.locator("[role='alert']")
        expect(alert).to_be_focused()
        expect(alert).to_contain_text("按内容判断")
        top = alert.evaluate("a => a.getBoundingClientRect().top")
        assert 0 <= top < PHONE["height"]  # in view, where the eye is


def test_the_monthly_charts_last_label_is_drawn_whole(world, browser):
    _, base = world
    desktop = {"width": 1280, "height": 900}
    with guarded_page(browser, base, locale="zh-CN", viewport=desktop) as tab:
        sign_in(tab, "dec", base)
        tab.goto(base + "/ws/bodies/cb1")
        chart = tab.locator("#chart-audits")
        expect(chart).to_have_attribute("data-drawn", "yes")
        labels = chart.locator(".xtick text")
        assert labels.count() == 12
        last = labels.last.bounding_box()
        frame = chart.locator("svg.main-svg").first.bounding_box()
        assert last["x"] >= frame["x"] and last["x"] + last["width"] <= frame["x"] + frame["width"]
        assert last["y"] + last["height"] <= frame["y"] + frame["height"]


def test_the_transparency_pages_long_keys_wrap(world, browser):
    _, base = world
    with _phone(browser, base, "anonymous") as tab:
        tab.goto(base + "/transparency")
        for block in tab.locator("pre, .keys code").all():
            width = block.evaluate("b => [b.scrollWidth, b.clientWidth]")
            assert width[0] <= width[1] + 1
        assert _sideways(tab) == 0
