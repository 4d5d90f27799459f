"""A case's steps on its page (ISO/IEC 17021-1:2015 9.7, 9.8): the body's administrator and
the case's handler acknowledge receipt and record progress, the history shows each with its
note, the decider is the viewer and an involved one is refused at the top; nobody else takes
a step, and nothing is recorded on a closed case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import ApplyForCertification, OpenCase, ResolveCase
from qcert.lifecycle import events as ev
from qcert.lifecycle.cases import Case
from qcert.store import tables as t
from qcert.store.uow import UnitOfWork
from qcert.web.case_text import MESSAGES
from tests.e2e.web import admin_world
from tests.e2e.web.admin_world import (  # noqa: F401
    TODAY,
    admin_ws,
    csrf_of,
    post,
    rows,
    signed_in,
)
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401

AT = "/ws/bodies/cb1/cases/case-2"


@pytest.fixture
def appealed(admin_ws, monkeypatch):  # noqa: F811
    """cb1's ``cert1`` with an open appeal (case-2) handled by ``handler1``, an auditor of cb1
    with an account; ``dec1``, who decided cert1, also holds cb1's cb-admin role."""
    monkeypatch.setitem(admin_world.PEOPLE, "handler1", ["auditor@body:cb1"])
    monkeypatch.setitem(admin_world.PEOPLE, "dec1", ["cb-admin@body:cb1"])
    certify(admin_ws.bus, "cert1")
    admin_ws.bus(OpenCase("case-2", "appeal", "cert1", "handler1", "客户对认证决定提出申诉"))
    return admin_ws


def _types(ws) -> list[str]:
    return [r["type"] for r in rows(ws.engine, t.events, aggregate="case:case-2")]


def test_every_word_of_the_steps_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, key


def test_the_admin_acknowledges_records_progress_and_decides_by_name(appealed):
    web = signed_in(appealed, "admin1")
    page = web.get(AT)
    assert 'data-acknowledged="no"' in page.text
    assert 'data-form="acknowledge-case"' in page.text
    assert 'data-form="record-case-progress"' in page.text
    done = post(web, AT, f"{AT}/acknowledge", note="已书面确认收到申诉")
    assert done.status_code == 303
    assert done.headers["location"] == f"{AT}?done=acknowledge-case#history"
    page = web.get(done.headers["location"])
    assert 'data-acknowledged="yes"' in page.text and 'data-done="acknowledge-case"' in page.text
    # Receipt is acknowledged once: its form is gone.
    assert 'data-form="acknowledge-case"' not in page.text
    assert post(web, AT, f"{AT}/progress", note="已调阅第二阶段审核报告").status_code == 303
    page = web.get(AT)
    assert 'data-event="case.acknowledged"' in page.text
    assert 'data-event="case.progress-recorded"' in page.text
    assert "已调阅第二阶段审核报告" in page.text and "已书面确认收到申诉" in page.text
    closed = post(
        web, AT, f"{AT}/resolve", outcome="维持原决定", on=TODAY.isoformat(), confirm="yes"
    )
    assert closed.status_code == 303
    page = web.get(AT)
    assert 'data-decider="admin1"' in page.text
    assert 'data-form="record-case-progress"' not in page.text
    assert _types(appealed)[-1] == "case.resolved"
    (resolved,) = [r for r in rows(appealed.engine, t.events, aggregate="case:case-2")][-1:]
    assert '"decider":"admin1"' in resolved["document"]


def test_the_handler_records_progress_but_does_not_decide(appealed):
    web = signed_in(appealed, "handler1")
    page = web.get(AT)
    assert 'data-form="record-case-progress"' in page.text
    assert 'data-form="resolve-case"' not in page.text
    assert post(web, AT, f"{AT}/progress", note="已向客户通报：30 日内答复").status_code == 303
    assert _types(appealed) == ["case.opened", "case.progress-recorded"]
    sent = post(web, AT, f"{AT}/resolve", outcome="x", on=TODAY.isoformat(), confirm="yes")
    assert (
        sent.status_code == 403 and not rows(appealed.engine, t.cases, id="case-2")[0]["resolved"]
    )


def test_an_involved_decider_is_refused_at_the_top(appealed):
    web = signed_in(appealed, "dec1")
    refused = post(
        web, AT, f"{AT}/resolve", outcome="撤销原决定", on=TODAY.isoformat(), confirm="yes"
    )
    assert refused.status_code == 409
    assert 'data-rule="case.decider-independence"' in refused.text
    assert 'data-source="ISO/IEC 17021-1:2015 9.7.3, 9.7.8"' in refused.text
    assert 'role="alert"' in refused.text and "撤销原决定" in refused.text  # kept as typed
    assert not rows(appealed.engine, t.cases, id="case-2")[0]["resolved"]
    english = web.post(
        f"{AT}/resolve",
        data={"csrf": csrf_of(refused.text), "outcome": "x", "on": TODAY.isoformat()}
        | {"confirm": "yes"},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 409 and "audited, reviewed or decided" in english.text


@pytest.mark.parametrize("who", ["lead", "dec"])
def test_a_lesser_role_who_is_not_the_handler_takes_no_step(appealed, who):
    web = signed_in(appealed, who)
    page = web.get(AT)
    assert page.status_code == 200 and 'data-form="record-case-progress"' not in page.text
    for step in ("acknowledge", "progress"):
        sent = post(web, AT, f"{AT}/{step}", note="不该记录")
        assert sent.status_code == 403 and 'data-rule="access.role"' in sent.text
    assert _types(appealed) == ["case.opened"]


@pytest.mark.parametrize("who", ["admin2", "client", "dec2"])
def test_another_body_or_an_organisation_takes_no_step(appealed, who):
    web = signed_in(appealed, who)
    for step in ("acknowledge", "progress"):
        assert post(web, "/account", f"{AT}/{step}", note="x").status_code == 403
    assert _types(appealed) == ["case.opened"]


def test_anonymous_is_sent_to_sign_in_and_records_nothing(appealed):
    web = TestClient(appealed.app, base_url="https://testserver")
    for step in ("acknowledge", "progress"):
        sent = web.post(f"{AT}/{step}", data={"note": "x"}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/signin")
    assert _types(appealed) == ["case.opened"]


def test_a_step_without_its_csrf_token_is_refused(appealed):
    web = signed_in(appealed, "admin1")
    assert web.post(f"{AT}/progress", data={"note": "x"}).status_code == 403
    assert _types(appealed) == ["case.opened"]


@pytest.mark.parametrize("note", ["", "x" * 501])
def test_a_bad_note_is_named(appealed, note):
    refused = post(signed_in(appealed, "admin1"), AT, f"{AT}/progress", note=note)
    assert refused.status_code == 422 and "note" in refused.text and 'role="alert"' in refused.text
    assert _types(appealed) == ["case.opened"]


def test_no_step_on_a_closed_case(appealed):
    appealed.bus(ResolveCase("case-2", "维持原决定", TODAY, "admin1"))
    web = signed_in(appealed, "admin1")
    page = web.get(AT)
    assert 'data-form="acknowledge-case"' not in page.text
    for step in ("acknowledge", "progress"):
        refused = post(web, AT, f"{AT}/{step}", note="迟到的进展")
        assert refused.status_code == 409 and 'data-rule="case.closed"' in refused.text
    assert _types(appealed) == ["case.opened", "case.resolved"]


def test_an_unknown_step_or_another_bodys_case_is_not_found(appealed):
    run = appealed.bus
    run(ApplyForCertification("other", "cb2", "c1", "iso9001", [17], ["hq"]))
    run(OpenCase("case-cb2", "complaint", "other", "handler1", "投诉"))
    web = signed_in(appealed, "admin1")
    assert post(web, AT, f"{AT}/reopen", note="x").status_code == 404
    other = "/ws/bodies/cb1/cases/case-cb2/progress"
    assert post(web, AT, other, note="x").status_code == 404
    assert not rows(appealed.engine, t.events, aggregate="case:case-cb2")[1:]


def test_a_decision_recorded_before_deciders_says_so(appealed, clock):
    uow = UnitOfWork(appealed.engine, actor="admin1", clock=clock)
    with uow:
        uow.get(Case, "case-2").record(ev.CaseResolved("维持原决定", TODAY.isoformat()))
        uow.commit()
    page = signed_in(appealed, "admin1").get(AT, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'data-decider=""' in page.text
    assert "decided before deciders were recorded" in page.text
