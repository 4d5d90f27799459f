"""A body's staff in a real browser: find an organisation from the search box by part of its
name and by its credit code, then download the certification list as xlsx and read it back.

Needs Debian's chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from qcert.store import create_engine, migrate
from tests.e2e.web.live_server import chromium, guarded_page, served, sign_in
from tests.e2e.web.staffed_world import CLIENTS, Staffed, staff

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Staffed]:
    """The staffed world on a SQLite file, cb1 certifying c1 and with c2's application."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, tmp_path)
    world.certify("c1-active", "cb1", "c1", "N-C1-0001", TODAY)
    world.apply("c2-at-cb1", "cb1", "c2")
    world.certify("c2-active", "cb2", "c2", "N-C2-0002", TODAY)
    yield world
    engine.dispose()


@pytest.fixture
def tab(staffed: Staffed) -> Iterator[Any]:
    with (
        chromium() as browser,
        served(staffed.app(schedule=False)) as base,
        guarded_page(
            browser,
            base,
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        ) as page,
    ):
        page.base = base
        page.set_default_timeout(10_000)
        yield page


def _search(tab: Any, text: str) -> None:
    """Type ``text`` in the navigation's search box and press Enter."""
    tab.fill("#nav-q", text)
    with tab.expect_navigation():
        tab.press("#nav-q", "Enter")


def test_staff_find_an_organisation_and_download_the_list(tab):
    sign_in(tab, "plan")
    tab.goto(tab.base + "/ws/bodies/cb1")
    uscc, name_zh, _ = CLIENTS["c1"]
    _search(tab, "精密制造")  # part of 示例精密制造有限公司
    assert "/ws/bodies/cb1/search?q=" in tab.url
    found = tab.locator("section[data-group='organisations'] li")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text(name_zh)
    expect(found.first).to_have_attribute("data-client", "c1")
    # c2 applied to cb1 too; 远方精工 is found by its own name, and cb2's certificate is not.
    _search(tab, "精工")
    expect(tab.locator("section[data-group='organisations'] li")).to_have_count(1)
    expect(tab.locator("section[data-group='certificates'] li")).to_have_count(0)
    _search(tab, uscc)
    by_code = tab.locator("section[data-group='organisations'] li")
    expect(by_code).to_have_count(1)
    expect(by_code.first).to_contain_text(uscc)
    certification = "section[data-group='certifications'] li[data-certification='c1-active']"
    expect(tab.locator(certification)).to_have_count(1)
    tab.click("a[data-nav='certifications']")
    tab.select_option("#status", "active")
    with tab.expect_navigation():
        tab.click("form.filter button[type=submit]")
    expect(tab.locator("tr[data-certification]")).to_have_count(1)
    with tab.expect_download() as waiting:
        tab.click("a[data-export='xlsx']")
    download = waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = [list(r) for r in book.worksheets[0].values]
    assert rows[0][:2] == ["认证项目", "组织"]
    assert len(rows) == 2 and rows[1][1] == name_zh and rows[1][2] == uscc
    assert rows[1][7] == "N-C1-0001" and rows[1][-1] == "c1-active"
