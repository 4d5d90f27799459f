"""The body workspace's search, its certification list's filters, sorting and paging, the
dashboard's paged lists, downloads as xlsx and CSV, and the reporting downloads: each against
the tables, and each refused to the wrong principal."""

from __future__ import annotations

import io
import json
import re
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qcert.exchange import certsearch
from qcert.lifecycle import ApplyForCertification, OpenAccount, RegisterClient
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.web import body_pages, search_pages
from qcert.web.search_text import MESSAGES, PUBLIC
from tests.e2e.conftest import PASSWORD
from tests.e2e.web.test_body_pages import busy, signed_in, ws  # noqa: F401
from tests.integration.lifecycle.conftest import SITES, bus, world  # noqa: F401

UNIQUE = "91110108551385082Q"  # c1's unified social credit code
TRICKY = '=HYPERLINK("http://evil.example","点我")'


def _open(ws, who: str, roles: list[str]):  # noqa: F811
    ws.bus(OpenAccount(who, who, roles, PASSWORD))
    ws.opened.add(who)
    return signed_in(ws, who)


def _found(text: str, group: str) -> list[str]:
    section = re.search(rf'<section data-group="{group}"(.*?)</section>', text, re.S)[1]
    attr = {
        "organisations": "client",
        "certifications": "certification",
        "certificates": "number",
        "auditors": "auditor",
    }[group]
    return re.findall(rf'data-{attr}="([^"]+)"', section)


def _register(ws, client_id: str, first: str, name: str) -> None:  # noqa: F811
    """An organisation named ``name`` applying to cb1; its code is ``first`` and its check."""
    uscc = first + uscc_check_char(first)
    ws.bus(RegisterClient(client_id, uscc, name, "", "北京", "110108", 20, [SITES[0]]))
    ws.bus(ApplyForCertification(f"{client_id}-app", "cb1", client_id, "iso9001", [17], ["hq"]))


def _sheet(data: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [[c if c is not None else "" for c in row] for row in book.worksheets[0].values]


# .. the words ...............................................................


def test_every_string_has_both_languages_and_errors_name_their_field():
    for key, (zh, en) in {**MESSAGES, **PUBLIC}.items():
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key
        if ".bad_" in key or key.startswith("bad_"):
            field = en.split(":")[0]
            # Refusals say which field (in both languages) and what rule it broke.
            assert key.startswith("bad_") or zh.startswith(field + "："), key


# .. the search ..............................................................


def test_search_finds_an_organisation_by_part_of_its_name_and_by_credit_code(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    by_name = web.get("/ws/bodies/cb1/search", params={"q": "精密"})
    assert by_name.status_code == 200
    assert _found(by_name.text, "organisations") == ["c1"]
    assert len(_found(by_name.text, "certifications")) == 7
    assert _found(by_name.text, "certificates") == ["N-OLD", "N-SOON", "N-SUSP", "N-WD"]
    assert 'href="/ws/bodies/cb1/clients/c1"' in by_name.text
    # The whole code, how it starts, and in lower case as people type it.
    for q in (UNIQUE, UNIQUE[:10], UNIQUE.lower()):
        page = web.get("/ws/bodies/cb1/search", params={"q": q})
        assert _found(page.text, "organisations") == ["c1"], q
    numbers = web.get("/ws/bodies/cb1/search", params={"q": "N-SU"}).text
    assert _found(numbers, "certificates") == ["N-SUSP"]
    assert 'href="/ws/bodies/cb1/certifications/susp"' in numbers
    auditors = web.get("/ws/bodies/cb1/search", params={"q": "组长"}).text
    assert _found(auditors, "auditors") == ["lead"]
    assert 'href="/ws/bodies/cb1/auditors/lead"' in auditors
    nothing = web.get("/ws/bodies/cb1/search", params={"q": "不存在的公司"}).text
    assert all(_found(nothing, g) == [] for g in ("organisations", "certificates", "auditors"))


def test_search_shows_only_the_bodys_own_records(busy):  # noqa: F811
    root = signed_in(busy, "root")
    # cb2 holds one application of c1 ("other"); cb1's seven certifications are not cb2's.
    at_cb2 = root.get("/ws/bodies/cb2/search", params={"q": "精密"}).text
    assert _found(at_cb2, "certifications") == ["other"]
    assert _found(at_cb2, "certificates") == [] and _found(at_cb2, "auditors") == []
    assert signed_in(busy, "dec2").get("/ws/bodies/cb1/search?q=精密").status_code == 403
    anonymous = TestClient(busy.app, base_url="https://testserver")
    away = anonymous.get("/ws/bodies/cb1/search?q=精密", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/signin")
    client_user = _open(busy, "cuser", ["client-user@client:c1"])
    assert client_user.get("/ws/bodies/cb1/search?q=精密").status_code == 403


def test_percent_and_underscore_are_searched_as_themselves(busy):  # noqa: F811
    _register(busy, "pct", "91110108MA0123456", "百分之50%精工")
    web = signed_in(busy, "plan")
    for q, expected in (("50%", ["pct"]), ("%", ["pct"]), ("_", []), ("5_%", [])):
        page = web.get("/ws/bodies/cb1/search", params={"q": q})
        assert _found(page.text, "organisations") == expected, q
    # Unescaped, "%" would have matched every name and "_" every one-character run.
    listed = web.get("/ws/bodies/cb1/certifications", params={"text": "_"})
    assert 'data-total="0"' in listed.text


def test_the_search_is_bounded_and_names_the_field(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    long = web.get("/ws/bodies/cb1/search", params={"q": "长" * 101})
    assert long.status_code == 422 and "q：搜索内容须为 1 至 100 个字符" in long.text
    blank = web.get("/ws/bodies/cb1/search", params={"q": "   "})
    assert blank.status_code == 422 and 'data-error="search.bad_q"' in blank.text
    # NUL and other control characters are in no name; PostgreSQL would refuse them.
    for path in ("search?q=a%00b", "certifications?text=a%00b", "export/search?q=%1b[0m"):
        refused = web.get(f"/ws/bodies/cb1/{path}")
        assert refused.status_code == 422 and "不能包含控制字符" in refused.text, path
    english = web.get("/ws/bodies/cb1/search", params={"q": ""}, cookies={"qcert_lang": "en"})
    assert "q: the search must be 1 to 100 characters" in english.text
    # The box is in every body page's navigation.
    dashboard = web.get("/ws/bodies/cb1").text
    assert 'action="/ws/bodies/cb1/search" role="search"' in dashboard


# .. the certification list .................................................


def _listed(text: str) -> list[str]:
    return re.findall(r'data-certification="([\w-]+)"', text)


def test_the_list_names_certifications_as_people_know_them(busy):  # noqa: F811
    page = signed_in(busy, "plan").get("/ws/bodies/cb1/certifications").text
    assert "示例精密制造有限公司 · ISO 9001:2015" in page
    assert "ISO 9001:2015 / GB/T 19001-2016" in page
    english = signed_in(busy, "plan").get(
        "/ws/bodies/cb1/certifications", cookies={"qcert_lang": "en"}
    )
    assert "Example Precision Manufacturing · ISO 9001:2015" in english.text
    assert "ISO 9001:2015 / GB/T 19001-2016" in english.text


def test_the_list_filters_by_scheme_status_and_text(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    scheme = "urn:qcert:scheme:iso9001:2015"
    assert len(_listed(web.get(f"/ws/bodies/cb1/certifications?scheme={scheme}").text)) == 7
    suspended = web.get("/ws/bodies/cb1/certifications", params={"status": "suspended"})
    assert _listed(suspended.text) == ["susp"]
    both = web.get("/ws/bodies/cb1/certifications", params={"stage": "active", "text": "N-OLD"})
    assert _listed(both.text) == ["old"]
    by_code = web.get("/ws/bodies/cb1/certifications", params={"text": UNIQUE[:12]})
    assert len(_listed(by_code.text)) == 7
    for field, value, message in (
        ("scheme", "urn:qcert:scheme:iso14001:2015", "scheme：本机构没有该认证方案的项目"),
        ("status", "lost", "status：未知的证书状态"),
        ("sort", "name; drop table", "sort：不能按此列排序"),
        ("size", "101", "size：每页条数须为 1 至 100 的整数"),
        ("size", "0", "size：每页条数须为 1 至 100 的整数"),
        ("text", "x" * 101, "text：筛选内容不能超过 100 个字符"),
        ("page", "²", "page：须为正整数"),
    ):
        bad = web.get("/ws/bodies/cb1/certifications", params={field: value})
        assert bad.status_code == 422 and message in bad.text, field


def test_the_list_sorts_by_column_and_pages_with_its_filters(busy, monkeypatch):  # noqa: F811
    web = signed_in(busy, "plan")
    due = web.get("/ws/bodies/cb1/certifications", params={"sort": "next_due"}).text
    # Certifications with a programme (granted ones) first, soonest due first; the rest last.
    dated = re.findall(
        r'data-certification="([\w-]+)" data-stage="[\w-]+" data-next-due="([^"]*)"', due
    )
    dates = [d for _, d in dated if d]
    assert dates == sorted(dates) and len(dates) >= 3
    assert [c for c, d in dated if not d] == [c for c, _ in dated][len(dates) :]
    down = web.get("/ws/bodies/cb1/certifications", params={"sort": "certificate", "dir": "desc"})
    assert _listed(down.text)[:4] == ["wd", "susp", "soon", "old"]  # then those without one
    assert 'aria-sort="descending"' in down.text
    monkeypatch.setattr(body_pages, "PAGE_SIZE", 2)
    first = web.get("/ws/bodies/cb1/certifications", params={"sort": "id", "stage": "active"})
    assert _listed(first.text) == ["old", "soon"]
    assert 'data-total="2"' in first.text and 'rel="next"' not in first.text
    everything = web.get("/ws/bodies/cb1/certifications", params={"sort": "id"}).text
    assert _listed(everything) == ["app", "cr"]
    nxt = re.search(r'<a href="([^"]+)" rel="next"', everything)[1].replace("&amp;", "&")
    assert "sort=id" in nxt and "page=2" in nxt
    assert _listed(web.get(nxt).text) == ["nc", "old"]
    wide = web.get("/ws/bodies/cb1/certifications", params={"size": "5"}).text
    assert len(_listed(wide)) == 5


# .. downloads ...............................................................


def test_the_list_downloads_as_xlsx_with_the_pages_filters_every_page(busy, monkeypatch):  # noqa: F811
    monkeypatch.setattr(body_pages, "PAGE_SIZE", 2)
    web = signed_in(busy, "plan")
    page = web.get("/ws/bodies/cb1/certifications", params={"stage": "active", "sort": "id"})
    link = re.search(r'href="([^"]+)" data-export="xlsx"', page.text)[1].replace("&amp;", "&")
    assert "stage=active" in link and "sort=id" in link
    got = web.get(link)
    assert got.status_code == 200
    assert got.headers["content-type"] == certsearch_xlsx()
    assert "attachment" in got.headers["content-disposition"]
    rows = _sheet(got.content)
    assert rows[0][:3] == ["认证项目", "组织", "统一社会信用代码"]
    assert [r[-1] for r in rows[1:]] == ["old", "soon"]
    assert rows[1][1] == "示例精密制造有限公司" and rows[1][7] == "N-OLD"
    whole = _sheet(web.get("/ws/bodies/cb1/export/certifications?format=xlsx").content)
    assert len(whole) == 1 + 7  # every page, not the page's 2


def certsearch_xlsx() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_csv_has_a_bom_and_formula_like_cells_are_guarded(busy):  # noqa: F811
    _register(busy, "evil", "91110108MA0123457", TRICKY)
    web = signed_in(busy, "plan")
    csv_file = web.get("/ws/bodies/cb1/export/certifications?format=csv&text=HYPERLINK")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    text = csv_file.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("认证项目,组织,统一社会信用代码")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    book = _sheet(web.get("/ws/bodies/cb1/export/search?q=HYPERLINK&format=xlsx").content)
    cells = [c for row in book[1:] for c in row if "HYPERLINK" in str(c)]
    assert cells and all(str(c).startswith("'=") for c in cells)


def test_downloads_are_refused_to_the_wrong_principal_and_bounded(busy, monkeypatch):  # noqa: F811
    assert signed_in(busy, "dec2").get("/ws/bodies/cb1/export/certifications").status_code == 403
    web = signed_in(busy, "plan")
    assert web.get("/ws/bodies/cb1/export/nothing?format=csv").status_code == 404
    bad = web.get("/ws/bodies/cb1/export/certifications?format=pdf")
    assert bad.status_code == 422 and "format：须为 xlsx 或 csv" in bad.text
    assert web.get("/ws/bodies/cb1/export/certifications?status=lost").status_code == 422
    monkeypatch.setattr(search_pages, "EXPORT_MAX", 3)
    many = web.get("/ws/bodies/cb1/export/certifications?format=csv")
    assert many.status_code == 422 and "export：超过 3 行" in many.text


# .. the dashboard's lists ...................................................


def test_the_dashboard_shows_the_first_rows_and_pages_the_rest(busy, monkeypatch):  # noqa: F811
    monkeypatch.setattr(body_pages, "DASHBOARD_ROWS", 1)
    monkeypatch.setattr(search_pages, "LIST_SIZE", 1)
    web = signed_in(busy, "dec")
    board = web.get("/ws/bodies/cb1").text
    counts = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', board)}
    name = "due_soon" if counts["due_soon"] >= 2 else "overdue"
    figure = counts[name]
    assert figure >= 2, counts
    section = re.search(rf'<section data-list="{name}">(.*?)</section>', board, re.S)[1]
    assert section.count("<tr>") == 1 + 1 and f'data-all="{name}"' in section
    # Rows name their certification by organisation and standard, linking to it.
    assert ">示例精密制造有限公司 · ISO 9001:2015</a>" in section
    seen = []
    for number in range(1, figure + 1):
        listed = web.get(f"/ws/bodies/cb1/lists/{name}", params={"page": number})
        assert listed.status_code == 200 and f'data-total="{figure}"' in listed.text
        seen += re.findall(r"<td>(\d{4}-\d\d-\d\d)</td></tr>", listed.text)
    assert len(seen) == figure and seen == sorted(seen)
    exported = _sheet(web.get(f"/ws/bodies/cb1/export/{name}?format=xlsx").content)
    assert [r[2] for r in exported[1:]] == seen
    assert {r[0] for r in exported[1:]} == {"示例精密制造有限公司 · ISO 9001:2015"}
    assert web.get("/ws/bodies/cb1/lists/nothing").status_code == 404
    assert web.get("/ws/bodies/cb1/lists/overdue?page=0").status_code == 422
    assert signed_in(busy, "dec2").get("/ws/bodies/cb1/lists/overdue").status_code == 403


# .. reporting downloads ......................................................


def test_the_certsearch_workbook_and_national_report_download_for_reporting_roles(busy):  # noqa: F811
    web = signed_in(busy, "dec")
    assert 'data-nav="reports"' in web.get("/ws/bodies/cb1").text
    page = web.get("/ws/bodies/cb1/reports")
    assert page.status_code == 200 and 'data-batch="1"' in page.text
    workbook = web.get("/ws/bodies/cb1/reports/certsearch?batch=1")
    assert workbook.status_code == 200
    records = certsearch.read_xlsx(workbook.content)
    numbers = {r["certification"]["certificate_identity_number"] for r in records}
    assert numbers == {"old", "soon", "susp", "wd"}  # CertSearch keys by certification
    assert web.get("/ws/bodies/cb1/reports/certsearch?batch=2").status_code == 422
    year = date.today().year
    report = web.get(f"/ws/bodies/cb1/reports/national?from={year - 3}-01-01&to={year + 1}-12-31")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    doc = json.loads(report.content)
    assert doc["counts"] and doc["period"]
    for query, message in (
        ("from=2024-13-01", "from：须为 YYYY-MM-DD 格式的日期"),
        ("from=2025-01-02&to=2025-01-01", "to：截止日期早于起始日期"),
    ):
        bad = web.get(f"/ws/bodies/cb1/reports/national?{query}")
        assert bad.status_code == 422 and message in bad.text, query


def test_reporting_downloads_are_refused_to_lesser_roles_and_other_bodies(busy):  # noqa: F811
    for who in ("lead", "plan", "rev", "dec2"):
        web = signed_in(busy, who)
        assert 'data-nav="reports"' not in web.get("/ws/bodies/cb1").text or who == "dec2"
        for path in ("", "/certsearch", "/national"):
            assert web.get(f"/ws/bodies/cb1/reports{path}").status_code == 403, (who, path)
    reporter = _open(busy, "rep", ["reporter@body:cb1"])
    assert reporter.get("/ws/bodies/cb1/reports/certsearch").status_code == 200
    admin = signed_in(busy, "admin1")
    assert admin.get("/ws/bodies/cb1/reports").status_code == 200
