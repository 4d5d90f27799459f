"""A real server and a real browser for the workspace tests: the app served by uvicorn on a
free 127.0.0.1 port in a background thread, and Debian's chromium driven headless by Playwright.

Without /usr/bin/chromium or a CJK font (Debian ``chromium`` and ``fonts-noto-cjk``) the browser
tests are skipped on a laptop and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.e2e.conftest import PASSWORD

__all__ = ["ARGS", "CHROMIUM", "chromium", "guarded_page", "served", "sign_in"]

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


def _need(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: a missing browser is a failure)")
    pytest.skip(reason)


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh-cn"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless chromium (skipped, or failed under CI, when it or a CJK font is missing)."""
    if not Path(CHROMIUM).exists():
        _need(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    if not _has_cjk_font():
        _need("no CJK font, Chinese would render as boxes: apt-get install fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` until the block ends; its base URL (http://127.0.0.1:PORT).

    Chromium counts 127.0.0.1 as a secure origin, so the Secure session cookie is kept.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start within 10 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def guarded_page(browser: Any, base: str, **context: Any) -> Iterator[Any]:
    """A fresh browser context and tab that refuse, and report, any request leaving ``base``."""
    ctx = browser.new_context(**context)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()
    assert outside == [], f"the page asked for resources elsewhere: {outside}"


def sign_in(tab: Any, who: str, base: str | None = None) -> str:
    """Sign ``who`` in through the form with the test worlds' password, pressing Enter in the
    password field; the path the user lands on (their main page, never the form again).

    ``base`` is the server's URL, by default the tab's own ``base``."""
    base = base or tab.base
    tab.goto(base + "/signin")
    tab.fill("#username", who)
    tab.fill("#password", PASSWORD)
    with tab.expect_navigation():
        tab.press("#password", "Enter")
    assert not tab.url.startswith(base + "/signin"), f"{who} could not sign in: {tab.url}"
    return tab.url.removeprefix(base)
