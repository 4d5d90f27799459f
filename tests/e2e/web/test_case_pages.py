"""A body's complaints and appeals in the workspace: the list (open first, paged), a case's
history, receiving one and deciding it to its end, and who is refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import ApplyForCertification, OpenCase, ResolveCase
from qcert.store import tables as t
from qcert.web import admin_common
from qcert.web.admin_text import MESSAGES
from tests.e2e.web.admin_world import (  # noqa: F401
    TODAY,
    admin_ws,
    csrf_of,
    post,
    rows,
    signed_in,
)
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401

LIST = "/ws/bodies/cb1/cases"


@pytest.fixture
def appealed(admin_ws):  # noqa: F811
    """cb1's certification ``cert1`` with an open appeal, a closed complaint, and cb2's case."""
    run = admin_ws.bus
    certify(run, "cert1")
    run(OpenCase("case-1", "complaint", "cert1", "handler1", "投诉：证书范围写错"))
    run(ResolveCase("case-1", "已更正证书范围"))
    run(OpenCase("case-2", "appeal", "cert1", "handler1", "客户对严重不符合的判定提出申诉"))
    return admin_ws


def test_every_word_of_these_pages_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, key


def test_staff_see_the_bodys_cases_open_first(appealed):
    page = signed_in(appealed, "lead").get(LIST)
    assert page.status_code == 200
    assert 'data-total="2" data-open="1"' in page.text
    assert page.text.index('data-case="case-2"') < page.text.index('data-case="case-1"')
    # An auditor reads them but is offered no form to receive one.
    assert 'data-form="open-case"' not in page.text


def test_the_list_is_paged(appealed, monkeypatch):
    monkeypatch.setattr("qcert.web.case_pages.PAGE_SIZE", 1)
    web = signed_in(appealed, "admin1")
    first, second = web.get(LIST), web.get(f"{LIST}?page=2")
    assert 'data-case="case-2"' in first.text and 'data-case="case-1"' not in first.text
    assert 'data-case="case-1"' in second.text and 'rel="prev"' in second.text
    bad = web.get(f"{LIST}?page=²")
    assert bad.status_code == 422 and 'data-error="page"' in bad.text


def test_the_admin_receives_an_appeal_and_decides_it_to_its_end(appealed):
    web = signed_in(appealed, "admin1")
    opened = post(
        web,
        LIST,
        LIST,
        case_id="case-3",
        kind="appeal",
        certification_id="cert1",
        handler="handler1",
        summary="客户对认证决定提出申诉",
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == "/ws/bodies/cb1/cases/case-3?done=open-case"
    page = web.get("/ws/bodies/cb1/cases/case-3")
    assert 'data-resolved="no"' in page.text and 'data-event="case.opened"' in page.text
    assert 'data-form="resolve-case"' in page.text
    at = "/ws/bodies/cb1/cases/case-3"
    fields = {"outcome": "维持原决定", "on": TODAY.isoformat()}
    unconfirmed = post(web, at, f"{at}/resolve", **fields)
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert not rows(appealed.engine, t.cases, id="case-3")[0]["resolved"]
    closed = post(web, at, f"{at}/resolve", confirm="yes", **fields)
    assert closed.status_code == 303
    (case,) = rows(appealed.engine, t.cases, id="case-3")
    assert case["resolved"] and case["outcome"] == "维持原决定"
    page = web.get(at)
    assert 'data-resolved="yes"' in page.text and 'data-event="case.resolved"' in page.text
    assert 'data-form="resolve-case"' not in page.text
    # A closed case is closed for good: the domain refuses a second decision.
    again = web.post(
        f"{at}/resolve",
        data={"csrf": csrf_of(page.text), "confirm": "yes", **fields},
    )
    assert again.status_code == 409 and 'data-rule="state.order"' in again.text


def test_a_handler_involved_in_the_decision_is_refused_on_the_page(appealed):
    web = signed_in(appealed, "admin1")
    refused = post(
        web,
        LIST,
        LIST,
        case_id="case-4",
        kind="appeal",
        certification_id="cert1",
        handler="dec1",  # who decided the certification appealed
        summary="申诉",
    )
    assert refused.status_code == 409
    assert 'data-rule="case.independence"' in refused.text and 'role="alert"' in refused.text
    assert 'value="case-4"' in refused.text  # what was typed is kept
    assert not rows(appealed.engine, t.cases, id="case-4")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "praise"}, "kind"),
        ({"case_id": ""}, "case_id"),
        ({"summary": "x" * 4001}, "summary"),
        ({"certification_id": "nobodys"}, "certification_id"),
    ],
)
def test_a_bad_field_is_named(appealed, fields, named):
    good = {
        "case_id": "case-5",
        "kind": "complaint",
        "certification_id": "cert1",
        "handler": "handler1",
        "summary": "投诉",
    }
    refused = post(signed_in(appealed, "admin1"), LIST, LIST, **{**good, **fields})
    assert refused.status_code == 422 and f"{named}" in refused.text
    assert not rows(appealed.engine, t.cases, id="case-5")


@pytest.mark.parametrize("who", ["dec2", "client", "admin2"])
def test_another_body_or_an_organisation_cannot_see_the_cases(appealed, who):
    web = signed_in(appealed, who)
    assert web.get(LIST).status_code == 403
    assert web.get("/ws/bodies/cb1/cases/case-2").status_code == 403


def test_anonymous_is_sent_to_sign_in(appealed):
    web = TestClient(appealed.app, base_url="https://testserver")
    for url in (LIST, "/ws/bodies/cb1/cases/case-2"):
        page = web.get(url, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    sent = web.post("/ws/bodies/cb1/cases/case-2/resolve", follow_redirects=False)
    assert (
        sent.status_code == 303 and not rows(appealed.engine, t.cases, id="case-2")[0]["resolved"]
    )


@pytest.mark.parametrize("who", ["lead", "dec", "admin2"])
def test_a_lesser_role_or_another_bodys_admin_cannot_decide_a_case(appealed, who):
    web = signed_in(appealed, who)
    at = "/ws/bodies/cb1/cases/case-2"
    page = web.get("/account")
    sent = post(web, "/account", f"{at}/resolve", outcome="x", on=TODAY.isoformat(), confirm="yes")
    assert page.status_code == 200 and sent.status_code == 403
    assert not rows(appealed.engine, t.cases, id="case-2")[0]["resolved"]
    opened = post(
        web,
        "/account",
        LIST,
        case_id="c9",
        kind="appeal",
        certification_id="cert1",
        handler="handler1",
        summary="s",
    )
    assert opened.status_code == 403 and not rows(appealed.engine, t.cases, id="c9")


def test_another_bodys_case_is_not_found_here(appealed):
    run = appealed.bus
    run(ApplyForCertification("other", "cb2", "c1", "iso9001", [17], ["hq"]))
    run(OpenCase("case-cb2", "complaint", "other", "handler1", "投诉"))
    web = signed_in(appealed, "admin1")
    assert web.get("/ws/bodies/cb1/cases/case-cb2").status_code == 404
    at = "/ws/bodies/cb1/cases/case-cb2"
    sent = post(web, LIST, f"{at}/resolve", outcome="x", on=TODAY.isoformat(), confirm="yes")
    assert sent.status_code == 404
    assert not rows(appealed.engine, t.cases, id="case-cb2")[0]["resolved"]


def test_the_body_nav_links_the_new_pages(appealed):
    admin = signed_in(appealed, "admin1").get("/ws/bodies/cb1")
    assert 'data-nav="cases"' in admin.text and 'data-nav="people"' in admin.text
    lead = signed_in(appealed, "lead").get("/ws/bodies/cb1")
    assert 'data-nav="cases"' in lead.text and 'data-nav="people"' not in lead.text
    assert admin_common.admin_text("admin.nav.cases", "en") == "Complaints and appeals"


def test_the_certification_page_links_its_cases(appealed):
    page = signed_in(appealed, "lead").get("/ws/bodies/cb1/certifications/cert1")
    assert 'href="/ws/bodies/cb1/cases/case-2"' in page.text


def test_the_history_shows_times_in_beijing_to_the_second(appealed):
    page = signed_in(appealed, "admin1").get("/ws/bodies/cb1/cases/case-2")
    (opened,) = rows(appealed.engine, t.events, aggregate="case:case-2")
    when = datetime.fromisoformat(opened["at"].replace("Z", "+00:00"))
    shown = when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert f">{shown} UTC+8</time>" in page.text
