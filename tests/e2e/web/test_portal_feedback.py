"""The portal's audit plan and answer deadlines, Word and Excel uploads checked as what they
claim to be, pages that say what happened after each action, the confirm step of irreversible
actions, and where each user lands after signing in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import OpenAccount, PlanAudit
from qcert.lifecycle.office import DOC, DOCX, XLS, XLSX
from qcert.store import tables as t
from qcert.web.feedback_text import BODY_MESSAGES, HOME_MESSAGES, MESSAGES
from tests import office_files as files
from tests.e2e.conftest import PASSWORD, TEAM, api, services  # noqa: F401
from tests.e2e.web.test_portal_pages import _certified, _csrf, _upload, site  # noqa: F401

ISO9001 = "urn:qcert:scheme:iso9001:2015"


def test_every_new_message_has_both_languages():
    for key, (zh, en) in {**MESSAGES, **BODY_MESSAGES, **HOME_MESSAGES}.items():
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key


# .. Word and Excel files ......................................................


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("检验记录.xlsx", files.xlsx(), XLSX),
        ("纠正措施.docx", files.docx(), DOCX),
        ("旧版记录.xls", files.compound("Workbook"), XLS),
        ("旧版程序.doc", files.compound("WordDocument", "1Table"), DOC),
    ],
    ids=["xlsx", "docx", "xls", "doc"],
)
def test_word_and_excel_files_are_taken_and_recorded_as_what_they_are(
    site,  # noqa: F811
    name,
    data,
    media_type,
):
    web = site.browser("client")
    done = _upload(web, data, name, "records")
    assert done.status_code == 303
    assert "/portal/c1/documents?done=uploaded&ref=" in done.headers["location"]
    [row] = site.rows(t.documents)
    assert (row["filename"], row["media_type"], row["size"]) == (name, media_type, len(data))
    back = web.get(f"/portal/c1/documents/{row['sha256']}")
    assert back.content == data and back.headers["content-type"].startswith(media_type)
    assert back.headers["content-disposition"].startswith("attachment;")
    # The page the redirect leads to says what was done, as a status the focus moves to.
    page = web.get(done.headers["location"])
    assert 'role="status" tabindex="-1" data-focus data-done="uploaded"' in page.text
    assert f"文件已上传并记入账本：{name}" in page.text


@pytest.mark.parametrize(
    ("name", "data", "zh", "en"),
    [
        ("宏.docm", files.docm(), "含宏的 Word 或 Excel 文件", "with macros"),
        ("宏.xlsx", files.xlsx_with_vba(), "含宏的 Word 或 Excel 文件", "with macros"),
        ("宏.doc", files.compound("WordDocument", "Macros"), "含宏", "with macros"),
        ("setup.docx", files.renamed_exe(), "按内容判断", "judged by the content"),
        ("截断.xlsx", files.xlsx()[:400], "不是完整的", "not a whole"),
        ("幻灯片.doc", files.compound("PowerPoint Document"), "只接收", "only Word"),
    ],
    ids=["docm", "xlsx-with-vba", "doc-with-macros", "renamed-exe", "truncated", "powerpoint"],
)
def test_macros_renamed_programs_and_broken_files_are_refused_in_both_languages(
    site,  # noqa: F811
    name,
    data,
    zh,
    en,
):
    web = site.browser("client")
    refused = _upload(web, data, name)
    assert refused.status_code == 422
    assert 'role="alert" tabindex="-1" data-focus' in refused.text
    assert 'data-rule="input.invalid"' in refused.text and "文件：" in refused.text
    assert zh in refused.text
    assert "规则：<code>input.invalid</code>" in refused.text  # a full-width colon in Chinese
    web.get("/lang/en")
    in_english = _upload(web, data, name).text
    assert en in in_english and "Rule: <code>input.invalid</code>" in in_english
    assert site.events("client.document-uploaded") == [] and site.stored_files() == []


def test_a_workbook_named_as_a_word_document_is_refused_by_its_name(site):  # noqa: F811
    refused = _upload(site.browser("client"), files.xlsx(), "记录.docx")
    assert refused.status_code == 422 and "文件名" in refused.text and ".xlsx" in refused.text
    assert site.rows(t.documents) == []


def test_another_organisations_user_cannot_upload_or_see_the_plan(site):  # noqa: F811
    _certified(site)
    outsider = site.browser("client2")
    token = _csrf(outsider.get("/portal/c2/documents").text)
    forged = outsider.post(
        "/portal/c1/documents",
        data={"csrf": token, "purpose": "x", "certification_id": ""},
        files={"file": ("a.xlsx", files.xlsx(), XLSX)},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and site.rows(t.documents) == []
    assert outsider.get("/portal/c1/plan").status_code == 403
    assert site.browser("dec2").get("/portal/c1/plan").status_code == 403  # another body
    anonymous = TestClient(site.app, base_url="https://testserver")
    to_sign_in = anonymous.get("/portal/c1/plan", follow_redirects=False)
    assert to_sign_in.status_code == 303
    assert to_sign_in.headers["location"] == "/signin?next=%2Fportal%2Fc1%2Fplan"


# .. the audit plan and the answers' deadlines ...................................


def test_the_plan_shows_each_audit_with_its_dates_team_and_days(site):  # noqa: F811
    _certified(site)
    ahead = datetime.now(UTC).date() + timedelta(days=10)
    site.run(PlanAudit("a1", "sv2", "surveillance", TEAM, "FS01", ahead, ahead, 1.5, ["hq"]))
    web = site.browser("client")
    page = web.get("/portal/c1/plan")
    assert page.status_code == 200 and 'data-section="plan"' in page.text
    upcoming = page.text.split('data-table="upcoming"')[1].split("</table>")[0]
    assert 'data-audit="a1/sv2"' in upcoming and 'data-audit-status="to-come"' in upcoming
    assert f'data-start="{ahead}"' in upcoming and "计划 1.5 人日" in upcoming
    assert "组长 · 审核组长" in upcoming  # the auditor's registered name and team role
    past = page.text.split('data-table="past"')[1].split("</table>")[0]
    assert past.index('data-audit="a1/sv1"') < past.index('data-audit="a1/s2"')  # newest first
    assert 'data-audit-status="done"' in past and "实际 2 人日" in past
    assert "Audit plan" in web.get("/portal/c1/plan", headers={"accept-language": "en"}).text
    # cb1's staff see the plan of the certification they hold.
    assert 'data-audit="a1/sv2"' in site.browser("plan").get("/portal/c1/plan").text


def test_an_open_findings_answer_is_due_90_days_after_its_audit(site):  # noqa: F811
    _certified(site)  # the surveillance with finding f1 ended 300 days after last year's 1st
    today = datetime.now(UTC).date()
    audit_day = date(today.year - 1, today.month, 1) + timedelta(days=300)
    due = audit_day + timedelta(days=90)
    page = site.browser("client").get("/portal/c1/findings").text
    assert f'data-due="{due}" data-days-left="{(due - today).days}"' in page
    assert f"{due} 前" in page
    expected = "已逾期" if due < today else "剩余"
    assert expected in page and "ISO/IEC 17021-1:2015 第 9.4.9 条" in page


# .. saying what happened ........................................................


def test_applying_and_answering_say_what_was_done_after_the_redirect(site):  # noqa: F811
    web = site.browser("client")
    token = _csrf(web.get("/portal/c1/apply").text)
    form = {"csrf": token, "body_id": "cb1", "scheme_id": ISO9001, "sectors": ["17"]}
    applied = web.post("/portal/c1/apply", data={**form, "sites": ["hq"]}, follow_redirects=False)
    assert applied.status_code == 303
    cid = applied.headers["location"].split("#certification-")[1]
    assert f"?done=applied&ref={cid}#" in applied.headers["location"]
    shown = web.get(applied.headers["location"]).text
    assert 'data-done="applied"' in shown and f"申请编号：{cid}" in shown
    # A made-up confirmation is not shown; a refused form shows its refusal, not a confirmation.
    assert "data-done" not in web.get("/portal/c1?done=deleted-everything").text
    refused = web.post("/portal/c1/apply?done=applied", data=form)
    assert refused.status_code == 422 and "data-done" not in refused.text
    assert refused.text.index('role="alert"') < refused.text.index('data-form="apply"')

    _certified(site)
    page = web.get("/portal/c1/findings")
    answer = {"csrf": _csrf(page.text), "correction": "a", "cause": "b", "action": "c"}
    done = web.post("/portal/c1/findings/a1/f1/answer", data=answer, follow_redirects=False)
    assert done.status_code == 303 and "?done=answered" in done.headers["location"]
    assert "已提交对审核发现 a1 · f1 的回复" in web.get(done.headers["location"]).text


def test_every_workspace_page_loads_the_focus_script_and_the_favicon(site):  # noqa: F811
    web = site.browser("client")
    for path in ("/portal/c1", "/workspace", "/transparency", "/verify"):
        html = web.get(path).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, path
    assert '<script src="/static/ws.js" defer></script>' in web.get("/portal/c1").text
    script = web.get("/static/ws.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "focus" in script.text and '[role="alert"]' in script.text
    for icon in ("/static/favicon.svg", "/favicon.ico"):
        got = TestClient(site.app).get(icon)
        assert got.status_code == 200 and got.headers["content-type"] == "image/svg+xml"
        assert got.text.startswith("<svg")


# .. the confirm step of irreversible actions ..................................


def test_withdrawing_a_certificate_needs_its_confirm_box_ticked(site):  # noqa: F811
    _certified(site)
    web = site.browser("dec")
    where = "/ws/bodies/cb1/certifications/a1"
    page = web.get(where).text
    assert 'id="withdraw-certificate-confirm" name="confirm" value="yes" required' in page
    form = {"csrf": _csrf(page), "reason": "客户申请", "on": date.today().isoformat()}
    unconfirmed = web.post(f"{where}/withdraw-certificate", data=form)
    assert unconfirmed.status_code == 422
    assert "confirm：此操作不可撤回，请勾选确认后再提交" in unconfirmed.text
    assert 'role="alert" tabindex="-1"' in unconfirmed.text
    web.get("/lang/en")
    english = web.post(f"{where}/withdraw-certificate", data=form)
    assert "confirm: this action cannot be undone" in english.text
    [certificate] = site.rows(t.certificates)
    assert certificate["status"] == "active" and site.events("certificate.withdrawn") == []
    sure = web.post(
        f"{where}/withdraw-certificate", data={**form, "confirm": "yes"}, follow_redirects=False
    )
    assert sure.status_code == 303
    assert site.rows(t.certificates)[0]["status"] == "withdrawn"


# .. where signing in lands ......................................................


def _lands(site, who: str, next: str | None = None) -> str:  # noqa: F811
    web = TestClient(site.app, base_url="https://testserver")
    form = web.get("/signin")
    data = {"username": who, "password": PASSWORD, "csrf": _csrf(form.text)}
    done = web.post("/signin", data={**data, **({"next": next} if next else {})})
    return str(done.url).removeprefix("https://testserver")


def test_each_user_lands_on_their_main_page(site):  # noqa: F811
    site.run(OpenAccount("reg", "reg", ["regulator@region:110000"], PASSWORD))
    site.run(OpenAccount("both", "both", ["auditor@body:cb1", "client-user@client:c1"], PASSWORD))
    assert _lands(site, "dec") == "/ws/bodies/cb1"  # a body's staff: the body's dashboard
    assert _lands(site, "client") == "/portal/c1"  # an organisation's user: its portal
    assert _lands(site, "reg") == "/hub"  # a regulator: the hub's cockpit
    assert _lands(site, "root") == "/workspace"  # the platform: every body and organisation
    assert _lands(site, "both") == "/workspace"  # two main pages: the list of both
    assert _lands(site, "client", "/portal/c1/findings") == "/portal/c1/findings"  # as asked


def test_the_workspace_list_names_roles_as_people_do(site):  # noqa: F811
    site.run(OpenAccount("reg", "reg", ["regulator@region:110000"], PASSWORD))
    home = site.browser("reg").get("/workspace").text
    assert 'data-role="regulator@region:110000"' in home
    assert "监管人员 · 行政区划 110000" in home and 'href="/hub"' in home
    english = site.browser("rev").get("/workspace", headers={"accept-language": "en"}).text
    assert "Application reviewer · body cb1" in english
    assert "Technical reviewer · body cb1" in english and 'href="/hub"' not in english


def test_a_refusal_names_what_was_not_found_in_chinese_and_shows_a_typed_id_as_typed(
    site,  # noqa: F811
):
    # "lead" is also a role's code: typed as a body's id, it must not be shown as 审核组长
    web = site.browser("client")
    token = _csrf(web.get("/portal/c1/apply").text)
    form = {"csrf": token, "body_id": "lead", "scheme_id": ISO9001, "sectors": ["17"]}
    refused = web.post("/portal/c1/apply", data={**form, "sites": ["hq"]})
    assert refused.status_code == 404
    alert = re.search(r'role="alert".*?</div>', refused.text, re.S)[0]
    assert "没有认证机构编号为 &#39;lead&#39; 的记录" in alert
    assert "审核组长" not in alert and "no " not in alert
