"""The public verification page in a real browser (Debian's chromium, headless) against a server.

Needs /usr/bin/chromium and a CJK font (Debian ``chromium`` and ``fonts-noto-cjk``): without
them these tests are skipped on a laptop and fail under ``CI=true``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from qcert.server import create_app
from qcert.store import create_engine, migrate
from tests.e2e.web.conftest import Certified
from tests.e2e.web.live_server import chromium, guarded_page, served


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A SQLite file: the server thread opens its own connections to it."""
    url = f"sqlite:///{tmp_path / 'qcert.db'}"
    engine = create_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def server(certified: Certified) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port in a background thread."""
    with served(create_app(certified.services, schedule=False)) as base:
        yield base


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    """A fresh page that refuses, and records, any request leaving the server."""
    with guarded_page(browser, server, locale="zh-CN") as tab:
        tab.base = server
        yield tab


def _verdict(page) -> str:
    return page.locator("[data-verdict]").get_attribute("data-verdict")


def _search(page, q: str) -> None:
    page.goto(page.base + "/verify")
    page.fill("#q", q)
    page.click("form[role=search] button")
    page.click(f"[data-number='{q}'] a")


@pytest.mark.parametrize(
    ("number", "verdict", "zh"),
    [("N-V", "valid", "真实有效"), ("N-S", "suspended", "已暂停"), ("N-W", "withdrawn", "已撤销")],
)
def test_search_by_number_shows_the_verdict(page, number, verdict, zh):
    _search(page, number)
    assert page.url.endswith(f"/v/{number}")
    assert _verdict(page) == verdict
    assert page.locator("[data-verdict] .zh").inner_text() == zh


def _upload(page, tmp_path: Path, credential: dict) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    page.goto(page.base + "/verify")
    page.set_input_files("#credential", str(path))
    page.click("form[enctype='multipart/form-data'] button")
    page.wait_for_selector("[data-verdict]")


def test_an_uploaded_genuine_credential_is_valid(page, certified, tmp_path):
    _upload(page, tmp_path, certified.credentials["N-V"])
    assert _verdict(page) == "valid"


def test_a_credential_forged_under_another_body_is_not_issued(page, certified, tmp_path):
    _upload(page, tmp_path, certified.forged_by_another_body())
    assert _verdict(page) == "not-issued"
    assert "并非由所称认证机构颁发" in page.locator("[data-verdict]").inner_text()


def test_a_credential_signed_with_another_key_is_not_issued(page, certified, tmp_path):
    _upload(page, tmp_path, certified.forged_with_another_key())
    assert _verdict(page) == "not-issued"


def test_an_altered_credential_is_tampered(page, certified, tmp_path):
    _upload(page, tmp_path, certified.tampered())
    assert _verdict(page) == "tampered"
    assert "已被篡改" in page.locator("[data-verdict]").inner_text()


def test_a_qr_link_with_the_wrong_hash_is_tampered(page, certified):
    page.goto(f"{page.base}/v/N-V?sha256={'ab' * 32}")
    assert _verdict(page) == "tampered"
    page.goto(f"{page.base}/v/N-V?sha256={certified.sha256['N-V']}")
    assert _verdict(page) == "valid"
    assert page.locator("[data-credential]").get_attribute("data-credential") == "match"


def test_chinese_text_is_visible_first_and_rendered_with_a_cjk_font(page):
    page.goto(page.base + "/v/N-V")
    verdict = page.get_by_text("真实有效", exact=True)
    assert verdict.is_visible()
    box = verdict.bounding_box()
    assert box["width"] > 0 and box["y"] < page.viewport_size["height"] / 2
    assert page.get_by_text("示例精密制造有限公司").first.is_visible()
    # The fonts chromium actually drew the verdict's glyphs with (DevTools protocol).
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-verdict] .zh"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert sum(f["glyphCount"] for f in fonts if "CJK" in f["familyName"]) == len("真实有效")


def test_the_api_documentation_renders_offline_with_its_authorize_button(page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(page.base + "/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "qcert" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator("button.authorize").count() == 1  # the security schemes are declared
    page.goto(page.base + "/redoc")
    page.wait_for_selector("h1")
    assert "qcert" in page.locator("h1").first.inner_text()
    # Nothing was fetched from elsewhere (the guarded page fails the test otherwise), and the
    # Content-Security-Policy refused nothing the pages need: only ReDoc's own logo, which it
    # would fetch from its makers' CDN, is held back.
    refused = [e for e in errors if "Content Security Policy" in e]
    assert all("cdn.redoc.ly/redoc/logo" in e for e in refused), refused
