"""One certification walked end to end in a real browser, signing in as each role in turn: the
client applies, the body reviews and plans, the auditor records a finding the client answers,
the decision maker grants, and the public verifies. Every step asserts what the page shows.

Screenshots of the main pages are kept under tests/artifacts/screenshots/ (not committed).
Needs Debian's chromium and a CJK font: see tests/e2e/web/live_server.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from qcert.store import create_engine, migrate
from tests.e2e.web.live_server import chromium, guarded_page, served
from tests.e2e.web.staffed_world import ISO9001, PASSWORD, Staffed, staff

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

SHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
NUMBER = "00126Q3E2E01"
SCOPE = "精密机械零件的生产 / Production of precision machined parts"
EVIDENCE = "首件检验记录缺失 / first-article inspection records missing"


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Staffed]:
    """The staffed world on a SQLite file: the server thread opens its own connections."""
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    yield staff(engine, tmp_path)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Any, staffed: Staffed) -> Iterator[Any]:
    with (
        served(staffed.app()) as base,
        guarded_page(
            browser, base, locale="zh-CN", viewport={"width": 1280, "height": 900}
        ) as page,
    ):
        page.base = base
        page.set_default_timeout(10_000)  # a missing element fails in seconds, not half a minute
        yield page


# .. what every step does ....................................................


def sign_in(tab: Any, who: str) -> None:
    """Sign in through the form, typing and pressing Enter as a keyboard user would."""
    tab.goto(tab.base + "/signin")
    tab.focus("#username")
    tab.keyboard.type(who)
    tab.keyboard.press("Tab")
    tab.keyboard.type(PASSWORD)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    # Each user lands on their main page (the body's dashboard, the portal); the walk then
    # starts from the workspace's list of them.
    assert not tab.url.startswith(tab.base + "/signin"), f"{who} could not sign in: {tab.url}"
    expect(tab.locator("form[action='/signout'] button")).to_contain_text(who)
    tab.goto(tab.base + "/workspace")


def sign_out(tab: Any) -> None:
    with tab.expect_navigation():
        tab.click("form[action='/signout'] button")
    assert tab.url.startswith(tab.base + "/signin")


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def submit(tab: Any, form: str) -> None:
    """Submit the certification page's form ``form`` and land back on the page."""
    with tab.expect_navigation():
        tab.click(f"section[data-form='{form}'] form button[type=submit]")
    done = tab.locator(f"[data-done='{form}']")
    if done.count() == 0:
        refusal = tab.locator(f"section[data-form='{form}'] .error")
        shown = refusal.inner_text() if refusal.count() else tab.locator("main").inner_text()
        pytest.fail(f"the {form} form was refused: {shown[:400]}")


def need_form(tab: Any, form: str) -> None:
    """Fail, naming the form, when the page does not offer it to the signed-in role (after
    waiting for the page a link just opened to load)."""
    tab.wait_for_load_state()
    try:
        tab.locator(f"[data-form='{form}']").first.wait_for(state="attached", timeout=5000)
    except PlaywrightTimeout:
        pytest.fail(f"no {form} form on {tab.url} (offered: {offered(tab)})")


def offered(tab: Any) -> list[str]:
    return tab.locator("section[data-form]").evaluate_all("nodes => nodes.map(n => n.dataset.form)")


def open_certification(tab: Any, cid: str) -> None:
    """From the workspace: the body's dashboard, its list, then the certification."""
    tab.click("a[href='/ws/bodies/cb1']")
    tab.click("a[data-nav='certifications']")
    tab.click(f"tr[data-certification='{cid}'] a")
    expect(tab.locator("h1[data-certification]")).to_have_attribute("data-certification", cid)


def stage_is(tab: Any, stage: str) -> None:
    expect(tab.locator("h1[data-certification]")).to_have_attribute("data-stage", stage)


def timeline_has(tab: Any, event: str, label: str) -> None:
    item = tab.locator(f"ol.timeline li[data-type='{event}']").last
    expect(item).to_be_visible()
    expect(item).to_contain_text(label)
    assert item.get_attribute("data-event").isdigit()


# .. the walk ..................................................................


def test_a_certification_from_application_to_public_verification(tab, tmp_path):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the body's day

    # The client applies through the portal.
    sign_in(tab, "client")
    tab.click("a[href='/portal/c1']")
    expect(tab.locator("h1[data-client='c1']")).to_have_attribute("data-section", "overview")
    tab.click("a[data-section-link='apply']")
    need_form(tab, "apply")
    tab.select_option("#body_id", "cb1")
    tab.select_option("#scheme_id", ISO9001)
    tab.select_option("#sectors", ["17"])
    tab.check("#site-hq")
    tab.check("#site-plant")
    with tab.expect_navigation():
        tab.click("form[data-form='apply'] button[type=submit]")
    applied = tab.locator("table[data-table='certifications'] tr[data-certification]")
    expect(applied).to_have_count(1)
    cid = applied.get_attribute("data-certification")
    expect(applied.locator("td[data-stage]")).to_have_attribute("data-stage", "applied")
    sign_out(tab)

    # The application reviewer sees the audit-time calculation and its justification, then
    # confirms the contract review from the keyboard.
    sign_in(tab, "rev")
    open_certification(tab, cid)
    stage_is(tab, "applied")
    need_form(tab, "review-contract")
    assert offered(tab) == ["review-contract"]
    review = tab.locator("section[data-form='review-contract']")
    expect(review.locator("[data-personnel]")).to_have_attribute("data-personnel", "20")
    initial = review.locator("[data-days='initial']").inner_text()
    initial_days = float(re.match(r"[\d.]+", initial)[0])
    assert initial_days >= 2 and "人日" in initial
    reasons = review.locator("ol.justification li[data-reason]")
    assert reasons.count() >= 2
    expect(review.locator("ol.justification").first).to_contain_text("IAF MD 5")
    tab.focus("#review-contract-site_reduction_pct")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.value") == "confirm"
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab.locator("[data-done='review-contract']")).to_be_visible()
    stage_is(tab, "contract-reviewed")
    timeline_has(tab, "certification.contract-reviewed", "合同评审")
    sign_out(tab)

    # The planner plans stage 1 (head office) and stage 2 (both sites) with the lead auditor.
    sign_in(tab, "plan")
    open_certification(tab, cid)
    need_form(tab, "plan-audit")
    expect(tab.locator("[data-minimum]")).to_contain_text(f"{initial_days:g}")
    expect(tab.locator("tr[data-auditor='lead']")).to_have_attribute("data-qualified", "yes")
    for audit, kind, days, sites in (
        ("s1", "stage1", 1.0, ["hq"]),
        ("s2", "stage2", initial_days - 1.0, ["hq", "plant"]),
    ):
        tab.fill("#plan-audit-audit_id", audit)
        tab.select_option("#plan-audit-kind", kind)
        tab.select_option("#plan-audit-method", "FS01")
        expect(tab.locator("#plan-audit-start")).to_have_value(today)
        tab.fill("#plan-audit-planned_days", f"{days:g}")
        tab.select_option("#plan-audit-role-lead", "lead")
        tab.set_checked("#plan-audit-site-plant", "plant" in sites)
        submit(tab, "plan-audit")
        row = tab.locator(f"tr[data-audit='{audit}']")
        expect(row).to_have_attribute("data-kind", kind)
        expect(row).to_contain_text(", ".join(sites))
        expect(row).to_contain_text("lead")
    stage_is(tab, "auditing")
    planned = tab.locator(f"td[data-day='{today}'] [data-calendar-audit^='{cid}/']")
    expect(planned).to_have_count(2)
    timeline_has(tab, "certification.audit-planned", "策划审核")
    sign_out(tab)

    # The auditor completes stage 1 and raises a major nonconformity in stage 2.
    sign_in(tab, "lead")
    open_certification(tab, cid)
    need_form(tab, "complete-audit")
    tab.select_option("#complete-audit-audit_id", "s1")
    tab.fill("#complete-audit-actual_days", "1")
    submit(tab, "complete-audit")
    expect(tab.locator("#complete-audit-audit_id option")).to_have_count(1)  # only s2 runs
    need_form(tab, "raise-finding")
    tab.select_option("#raise-finding-audit_id", "s2")
    tab.fill("#raise-finding-finding_id", "f1")
    tab.select_option("#raise-finding-grade", "major")
    tab.select_option("#raise-finding-clause", "8.5")
    tab.fill("#raise-finding-evidence", EVIDENCE)
    submit(tab, "raise-finding")
    finding = tab.locator("tr[data-finding='f1']")
    expect(finding).to_have_attribute("data-status", "open")
    expect(finding).to_have_attribute("data-grade", "major")
    expect(finding).to_contain_text(EVIDENCE)
    timeline_has(tab, "certification.finding-raised", "开具审核发现")
    sign_out(tab)

    # The client answers the finding in the portal.
    sign_in(tab, "client")
    tab.click("a[href='/portal/c1']")
    expect(tab.locator(f"[data-finding='{cid}/f1']")).to_have_attribute(
        "data-finding-status", "open"
    )
    tab.click("a[data-section-link='findings']")
    need_form(tab, "answer")
    form = tab.locator(f"form[data-answer-form='{cid}/f1']")
    form.locator("textarea[name=correction]").fill("补齐首件检验记录")
    form.locator("textarea[name=cause]").fill("作业指导书未规定首件检验的记录要求")
    form.locator("textarea[name=action]").fill("修订作业指导书并培训检验员")
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(tab.locator(f"[data-answer='{cid}/f1']")).to_contain_text("作业指导书未规定")
    expect(tab.locator(f"tr[data-finding='{cid}/f1'] td[data-finding-status]")).to_have_attribute(
        "data-finding-status", "answered"
    )
    expect(tab.locator(f"form[data-answer-form='{cid}/f1']")).to_have_count(0)
    sign_out(tab)

    # The auditor verifies and closes it, then completes stage 2.
    sign_in(tab, "lead")
    open_certification(tab, cid)
    expect(tab.locator("tr[data-finding='f1']")).to_have_attribute("data-status", "answered")
    need_form(tab, "close-finding")
    tab.select_option("#close-finding-finding_id", "f1")
    submit(tab, "close-finding")
    expect(tab.locator("tr[data-finding='f1']")).to_have_attribute("data-status", "closed")
    timeline_has(tab, "certification.finding-closed", "审核发现关闭")
    tab.select_option("#complete-audit-audit_id", "s2")
    tab.fill("#complete-audit-actual_days", f"{initial_days - 1.0:g}")
    submit(tab, "complete-audit")
    assert "complete-audit" not in offered(tab)  # nothing left running
    sign_out(tab)

    # The technical reviewer recommends the grant.
    sign_in(tab, "rev")
    open_certification(tab, cid)
    need_form(tab, "technical-review")
    assert offered(tab) == ["technical-review"]
    tab.select_option("#technical-review-recommendation", "grant")
    submit(tab, "technical-review")
    stage_is(tab, "reviewed")
    sign_out(tab)

    # The decision maker grants: number and scope; the certificate is issued and signed.
    sign_in(tab, "dec")
    open_certification(tab, cid)
    need_form(tab, "decide")
    assert offered(tab) == ["decide"]
    tab.select_option("#decide-outcome", "grant")
    tab.fill("#decide-number", NUMBER)
    tab.fill("#decide-scope", SCOPE)
    tab.check("#decide-confirm")  # a decision cannot be undone: the form asks to confirm
    submit(tab, "decide")
    stage_is(tab, "active")
    certificate = tab.locator(f"[data-certificate='{NUMBER}']")
    expect(certificate).to_have_attribute("data-status", "active")
    expect(certificate).to_contain_text(SCOPE)
    timeline_has(tab, "certificate.issued", "颁发证书")
    timeline_has(tab, "certificate.credential-issued", "签发电子证书")
    shot(tab, "certification")
    tab.click("a[data-nav='dashboard']")
    expect(tab.locator("[data-count='certifications']")).to_have_text("1")
    expect(tab.locator("#chart-stages .main-svg").first).to_be_visible()  # plotly drew it
    shot(tab, "dashboard")
    sign_out(tab)

    # The client finds the certificate, its PDF and its signed credential in the portal.
    sign_in(tab, "client")
    tab.click("a[href='/portal/c1']")
    card = tab.locator(f"li.card[data-certificate='{NUMBER}']")
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "active")
    shot(tab, "portal-overview")
    tab.click("a[data-section-link='certificates']")
    row = tab.locator(f"tr[data-certificate='{NUMBER}']")
    pdf = tab.request.get(tab.base + row.locator("a[data-pdf]").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    link = row.locator("a[data-credential]")
    assert link.get_attribute("data-credential").isdigit()
    credential = tab.request.get(tab.base + link.get_attribute("href"))
    assert credential.status == 200
    signed = credential.json()
    assert NUMBER in json.dumps(signed, ensure_ascii=False) and "proof" in signed
    sign_out(tab)

    # Anyone verifies it: by its number, and by uploading the credential.
    tab.goto(tab.base + "/verify")
    tab.fill("#q", NUMBER)
    tab.click("form[role=search] button")
    tab.click(f"[data-number='{NUMBER}'] a")
    assert tab.url.endswith(f"/v/{NUMBER}")
    expect(tab.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(tab.locator("[data-verdict] .zh")).to_have_text("真实有效")
    shot(tab, "verify")
    upload = tmp_path / "credential.json"
    upload.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    tab.goto(tab.base + "/verify")
    tab.set_input_files("#credential", str(upload))
    tab.click("form[enctype='multipart/form-data'] button")
    expect(tab.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    tab.goto(tab.base + "/transparency")
    assert int(tab.locator("[data-size]").get_attribute("data-size")) > 30
    expect(tab.locator("[data-checkpoint='sha256']")).to_contain_text("test.qcert/ledger")
    shot(tab, "transparency")
