"""The workspace's pages say what people read: times in the viewer's zone to the second,
schemes by their standards, refusals with Chinese field names and the rule's document."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from qcert.web.words import local_time
from tests.e2e.web.test_body_pages import _csrf, _post, busy, signed_in, ws  # noqa: F401
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401

TIMES = re.compile(r'<time datetime="([^"]+)">([^<]+)</time>')


def _visible(html: str) -> str:
    """The text a reader sees: no tags, so no attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_certification_list_names_schemes_by_their_standards(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    page = web.get("/ws/bodies/cb1/certifications")
    assert page.status_code == 200
    assert "ISO 9001:2015 / GB/T 19001-2016" in page.text
    assert "urn:qcert:scheme" not in _visible(page.text)


def test_the_timeline_shows_times_in_shanghai_without_microseconds(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    page = web.get("/ws/bodies/cb1/certifications/nc")
    shown = TIMES.findall(page.text)
    assert shown
    for stored, said in shown:
        assert said == local_time(stored, "Asia/Shanghai")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+8", said), said
    assert "urn:qcert:scheme" not in _visible(page.text)


def test_a_viewer_chooses_the_zone_the_pages_show_times_in(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    account = web.get("/account")
    assert 'data-form="timezone"' in account.text and 'value="Asia/Shanghai"' in account.text
    chosen = web.post(
        "/account/timezone",
        data={"csrf": _csrf(account.text), "zone": "America/New_York"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/account?done=timezone"
    page = web.get("/ws/bodies/cb1/certifications/nc")
    for stored, said in TIMES.findall(page.text):
        assert said == local_time(stored, "America/New_York") and " UTC-" in said


def test_a_zone_that_is_not_a_zone_is_refused_naming_the_field(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    token = _csrf(web.get("/account").text)
    refused = web.post("/account/timezone", data={"csrf": token, "zone": "../../etc/passwd"})
    assert refused.status_code == 422 and "时区：须为 IANA 时区名称" in refused.text
    too_long = web.post("/account/timezone", data={"csrf": token, "zone": "A" * 5000})
    assert too_long.status_code == 422


def test_only_a_signed_in_viewer_with_the_form_token_chooses_a_zone(busy):  # noqa: F811
    nobody = TestClient(busy.app, base_url="https://testserver")
    anonymous = nobody.post(
        "/account/timezone", data={"zone": "UTC", "csrf": "x"}, follow_redirects=False
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    web = signed_in(busy, "plan")
    forged = web.post("/account/timezone", data={"zone": "UTC", "csrf": "forged"})
    assert forged.status_code == 403 and "qcert_tz" not in forged.headers.get("set-cookie", "")


def test_a_refused_form_names_the_field_in_chinese_and_the_rules_document(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    refused = _post(
        web,
        "cr",
        "plan-audit",
        audit_id="s1",
        kind="stage1",
        method="FS01",
        start="2026-01-05",
        end="2026-01-06",
        planned_days="lots",
        sites="hq",
    )
    assert refused.status_code == 422
    error = re.search(r'<div class="error refusal".*?</div>', refused.text, re.S)[0]
    assert "计划审核人日：须为数字" in error and "planned_days" not in error
    assert "本平台的填写要求" in error and 'data-source="qcert"' in error


def test_a_mistyped_new_password_is_named_by_its_field_in_chinese(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    token = _csrf(web.get("/account").text)
    refused = web.post(
        "/account/password",
        data={
            "csrf": token,
            "current_password": "whatever it is",
            "password": "a long new password",
            "password_again": "another long password",
        },
    )
    assert refused.status_code == 422 and "再次输入的新密码：与新密码不一致" in refused.text


def test_the_timeline_words_codes_but_shows_typed_text_as_typed(busy):  # noqa: F811
    # A recorded code (a grade) reads as its word; what a person typed is evidence and is shown
    # letter for letter, even where a word of it is also a field's id ("status", "line").
    from qcert.lifecycle import RaiseFinding

    typed = "status of line 2 not recorded"
    busy.bus(RaiseFinding("nc", "f2", "s1", "minor", "8.5", typed, "lead1"))
    web = signed_in(busy, "plan")
    page = web.get("/ws/bodies/cb1/certifications/nc", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    shown = _visible(page.text)
    assert typed in shown
    assert "状态 of 生产线" not in shown
    assert "轻微不符合" in shown


def test_the_certifications_cycle_is_said_in_words(busy):  # noqa: F811
    web = signed_in(busy, "plan")
    seen = {}
    for cid in ("app", "susp"):  # one applied for, one certified (and suspended since)
        page = web.get(f"/ws/bodies/cb1/certifications/{cid}")
        assert page.status_code == 200, cid
        found = re.search(r'<dd data-cycle="(\d+)">([^<]+)</dd>', page.text)
        assert found, cid
        seen[int(found[1])] = found[2]
    assert seen == {0: "初次认证（尚未作出认证决定）", 1: "第 1 个认证周期"}
