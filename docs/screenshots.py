"""The README's screenshots, taken from the demo world in a real browser.

Builds the demo store (``qcert.demo``) in a temporary directory, serves it on a free port of
127.0.0.1, signs in as the demo decision maker and saves, as PNG at 1280x900:

- ``dashboard.png``: the demo body's dashboard (figures and charts);
- ``certification.png``: a client's certification with its audits, findings and timeline;
- ``verify.png``: the public verification page of a live certificate, with its verdict;
- ``search.png``: the body's search for part of a client's name;
- ``client.png``: that organisation's page at the body;
- ``cases.png``: the body's complaints and appeals;
- ``phone.png``: the certification list at a phone's width (390 px);
- ``notices.png``: the signed-in staff member's notices of what is due;
- ``hub.png``: the national regulator's cockpit (open warnings by province, the first of them).

Needs Debian's chromium and a CJK font (``apt-get install chromium fonts-noto-cjk``) and the
test extra (Playwright). Run from the repository root::

    .venv/bin/python docs/screenshots.py            # writes docs/img/*.png
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn

from qcert.bootstrap import bootstrap
from qcert.config import Settings
from qcert.demo import DEMO_HOST, build_demo
from qcert.demo_world import DEMO_PASSWORD
from qcert.server import create_app
from qcert.store import tables as t

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
BODY = "demo-cb"
ACCOUNT = "demo-decider"
REGULATOR = "demo-regulator"  # the nation's: every province on the cockpit
ADMIN = "demo-admin"  # the body's administrator: told of what is due
# The named certification whose page is shown: stage 2 with an open major nonconformity, so
# audits, a finding and a long timeline are all on it.
SHOWN_STAGE = "stage2-open-major"
LIVE_STAGE = "certified"


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 until the block ends; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("error: the server did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _number_of(settings: Settings, certification_id: str) -> str:
    engine = sa.create_engine(settings.database_url)
    with engine.connect() as conn:
        number = conn.execute(
            sa.select(t.certificates.c.number).where(
                t.certificates.c.certification_id == certification_id
            )
        ).scalar_one()
    engine.dispose()
    return number


def _client_of(settings: Settings, certification_id: str) -> tuple[str, str]:
    """The id and Chinese name of the organisation holding ``certification_id``."""
    engine = sa.create_engine(settings.database_url)
    c, k = t.certifications.c, t.clients.c
    with engine.connect() as conn:
        client_id, name = conn.execute(
            sa.select(k.id, k.name_zh)
            .join(t.certifications, c.client_id == k.id)
            .where(c.id == certification_id)
        ).one()
    engine.dispose()
    return client_id, name


def _capture(base: str, out: Path, shown: str, number: str, client: tuple[str, str]) -> list[Path]:
    """Sign in, open the pages and save them; the files written."""
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = _signed_in(browser, base, ACCOUNT, VIEWPORT)

        page.goto(f"{base}/ws/bodies/{BODY}")
        page.wait_for_selector("#chart-audits .main-svg")  # the charts are drawn
        saved.append(_save(page, out / "dashboard.png"))

        page.goto(f"{base}/ws/bodies/{BODY}/certifications/{shown}")
        # From the top down to the first events of the timeline, in one picture.
        timeline = page.locator("#timeline").bounding_box()
        height = min(int(timeline["y"]) + 420, 1800)
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
        saved.append(_save(page, out / "certification.png", clip))

        page.goto(f"{base}/v/{number}")
        verdict = page.locator("[data-verdict]").get_attribute("data-verdict")
        if verdict != "valid":
            raise SystemExit(f"error: certificate {number} shows {verdict!r}, not valid")
        saved.append(_save(page, out / "verify.png"))

        client_id, name = client
        page.goto(f"{base}/ws/bodies/{BODY}/search?q={name[2:6]}")
        saved.append(_save(page, out / "search.png"))
        page.goto(f"{base}/ws/bodies/{BODY}/clients/{client_id}")
        saved.append(_save(page, out / "client.png"))
        page.goto(f"{base}/ws/bodies/{BODY}/cases")
        saved.append(_save(page, out / "cases.png"))

        # The body administrator's notices, as the clocks sent them.
        admin = _signed_in(browser, base, ADMIN, VIEWPORT)
        admin.goto(f"{base}/ws/notices")
        saved.append(_save(admin, out / "notices.png"))

        # The regulator's cockpit: the provinces' open warnings and the first of the list.
        hub = _signed_in(browser, base, REGULATOR, VIEWPORT)
        hub.goto(f"{base}/hub")
        top = hub.locator("table").first.bounding_box()
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": int(top["y"]) + 560}
        saved.append(_save(hub, out / "hub.png", clip))

        tab = _signed_in(browser, base, ACCOUNT, {"width": 390, "height": 844})
        tab.goto(f"{base}/ws/bodies/{BODY}/certifications")
        saved.append(_save(tab, out / "phone.png"))
        browser.close()
    return saved


def _signed_in(browser: Any, base: str, account: str, viewport: dict[str, int]) -> Any:
    """A new tab (zh-CN) signed in as ``account``."""
    tab = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    tab.goto(f"{base}/signin")
    tab.fill("#username", account)
    tab.fill("#password", DEMO_PASSWORD)
    with tab.expect_navigation():
        tab.click("form.form button[type=submit]")
    return tab


def _save(page: Any, path: Path, clip: dict[str, int] | None = None) -> Path:
    # The viewport (or the clip) only, not the whole page: keeps each file small.
    page.screenshot(path=str(path), full_page=clip is not None, clip=clip)
    return path


def main(argv: list[str] | None = None) -> int:
    """Build the demo, serve it and save the screenshots; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "img")
    parser.add_argument("--size", type=int, default=300, help="generated client organisations")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "demo"
        settings = Settings(directory, f"sqlite:///{directory / 'qcert.db'}")
        result = build_demo(settings, size=args.size)
        shown, live = result.stages[SHOWN_STAGE], result.stages[LIVE_STAGE]
        services = bootstrap(dataclasses.replace(settings, public_host=DEMO_HOST))
        services.notifier.run()  # what the server's clocks send when it starts
        with served(create_app(services)) as base:
            number, client = _number_of(settings, live), _client_of(settings, shown)
            saved = _capture(base, args.out, shown, number, client)
        services.close()
    for path in saved:
        print(f"{path}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
