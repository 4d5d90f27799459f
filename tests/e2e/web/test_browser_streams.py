"""The portal's live streams in a real browser (Debian's chromium, headless): the control chart
of a stored stream is drawn by the locally served plotly, and the page picks up a new reading
when it polls.

Needs /usr/bin/chromium and a CJK font (Debian ``chromium`` and ``fonts-noto-cjk``): without
them these tests are skipped on a laptop and fail under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from qcert.quality.demo_line import line_readings
from qcert.store import create_engine, migrate
from qcert.web import stream_pages
from tests.e2e.web.live_server import chromium, guarded_page, served, sign_in
from tests.e2e.web.staffed_world import Staffed, staff
from tests.e2e.web.streamed_world import stream_world
from tests.stream_world import send


@pytest.fixture
def streamed(tmp_path: Path) -> Iterator[Staffed]:
    """The streamed world on a SQLite file: the server thread opens its own connections."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, tmp_path)
    stream_world(world)
    yield world
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Any, streamed: Staffed, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(stream_pages, "REFRESH_SECONDS", 2)  # poll quickly for the test
    with (
        served(streamed.app(schedule=False)) as base,
        guarded_page(browser, base, locale="en", viewport={"width": 1280, "height": 900}) as page,
    ):
        page.base = base
        page.set_default_timeout(15_000)
        yield page


def test_the_portal_draws_a_stored_streams_chart_and_refreshes_it(tab, streamed):
    sign_in(tab, "client")
    tab.goto(tab.base + "/portal/c1/streams")
    chart = tab.locator('[data-chart-id="c1-line.bore_diameter"]')
    expect(chart).to_have_attribute("data-drawn", "yes")
    # plotly drew the readings as a line, and the specification limits as labelled lines.
    assert chart.locator(".scatterlayer .trace path.js-line").count() == 1
    labels = chart.locator(".annotation-text").all_text_contents()
    assert {"LSL", "USL", "UCL", "LCL"} <= set(labels)
    expect(tab.locator('[data-latest-seq="c1-line"]')).to_have_text("499")
    # A reading arrives; the page shows it at its next poll, without being reloaded.
    frame = line_readings(13, n=40, fault_at=None).frame.iloc[:1]
    later = datetime.now(UTC)  # in a window not anchored yet
    verdicts = send(streamed.services.intake, "c1", "c1-line", frame, later, first_seq=500)
    assert verdicts[0].status == "stored"
    expect(tab.locator('[data-latest-seq="c1-line"]')).to_have_text("500")
    assert int(tab.locator("[data-live]").get_attribute("data-polled")) >= 1
