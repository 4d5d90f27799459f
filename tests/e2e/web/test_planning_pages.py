"""The planner's help on a certification's page over TestClient: who is free over some days
(each auditor's audits with organisation and scheme), a double booking refused at the top of
the page naming the audit in the way, planned days prefilled from the contract review, and
only the body's planners shown any of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from qcert.lifecycle import PlanAudit, ReviewContract
from qcert.store import tables as t
from tests.e2e.web.test_body_pages import TODAY, _post, signed_in, ws  # noqa: F401
from tests.integration.lifecycle.conftest import apply, bus, register_client, world  # noqa: F401

LEAD = [{"auditor": "lead", "role": "lead"}]
FIRST, LAST = TODAY + timedelta(days=10), TODAY + timedelta(days=12)
PAGE = "/ws/bodies/cb1/certifications/{cid}"
# x2's stage 1 with lead on the last day of lead's audit at x1 and the day after.
_PLAN = {
    "audit_id": "s1",
    "kind": "stage1",
    "method": "FS01",
    "start": LAST.isoformat(),
    "end": (LAST + timedelta(days=1)).isoformat(),
    "planned_days": "1.5",
    "sites": "hq",
    "role.lead": "lead",
}


@pytest.fixture
def booked(ws):  # noqa: F811
    """``lead`` on c1's stage 1 (certification x1) from FIRST to LAST; x2, another
    organisation's certification, contract-reviewed and not yet planned."""
    run = ws.bus
    register_client(run, "c2", "planning-page")
    apply(run, "x1")
    run(ReviewContract("x1", "rev1"))
    run(PlanAudit("x1", "s1", "stage1", LEAD, "FS01", FIRST, LAST, 1.5, ["hq"]))
    apply(run, "x2", "c2")
    run(ReviewContract("x2", "rev1"))
    return ws


def _availability(text: str, auditor: str) -> str:
    return re.search(rf'<tr data-auditor-availability="{auditor}"[^>]*>.*?</tr>', text, re.S)[0]


def test_the_planner_sees_who_is_booked_on_which_organisations_audit(booked):
    web = signed_in(booked, "plan")
    days = {"start": FIRST.isoformat(), "end": (LAST + timedelta(days=3)).isoformat()}
    page = web.get(PAGE.format(cid="x2"), params=days)
    assert page.status_code == 200
    assert f'data-first="{FIRST.isoformat()}"' in page.text
    lead = _availability(page.text, "lead")
    assert 'data-free="no"' in lead and 'data-commitment="x1/s1"' in lead
    assert "示例精密制造有限公司 · 质量管理体系认证 · " in lead
    assert f"{FIRST.isoformat()} 至 {LAST.isoformat()}" in lead
    novice = _availability(page.text, "novice")
    assert 'data-free="yes"' in novice and "data-commitment" not in novice
    after = {"start": (LAST + timedelta(days=1)).isoformat(), "end": days["end"]}
    later = web.get(PAGE.format(cid="x2"), params=after).text
    assert 'data-free="yes"' in _availability(later, "lead")  # the day after, lead is free


def test_the_calendar_names_the_organisation_not_the_certification_id(booked):
    web = signed_in(booked, "plan")
    page = web.get(PAGE.format(cid="x2"), params={"month": f"{FIRST:%Y-%m}"}).text
    entry = re.search(r'data-calendar-audit="x1/s1">([^<]*)</a>', page)
    assert entry and entry[1].startswith("示例精密制造有限公司 · ")


def test_a_double_booking_is_refused_at_the_top_of_the_page_naming_the_other_audit(booked):
    web = signed_in(booked, "plan")
    refused = _post(web, "x2", "plan-audit", **_PLAN)
    assert refused.status_code == 409
    text = refused.text
    top = text.index('id="refusal"')
    assert top < text.index('aria-label="sections"')  # before anything else on the page
    block = re.search(r'<div class="error refusal"[^>]*>', text)[0]
    assert 'role="alert"' in block and "autofocus" in block and 'tabindex="-1"' in block
    assert 'data-refusal="audit.double-booking"' in block
    assert "审核组第 1 名成员：lead 已在" in text and "示例精密制造有限公司" in text
    assert "审核 s1" in text and "认证项目 x1" in text
    assert 'href="#form-plan-audit"' in text
    # Shown once: the form it came from does not repeat it (nor a second alert read aloud).
    assert text.count("审核组第 1 名成员：lead 已在") == 1
    assert text.count('role="alert"') == 1
    assert text.count('data-rule="audit.double-booking"') == 1
    form = text[text.index('data-form="plan-audit"') :]
    assert "data-rule=" not in form[: form.index("</section>")]
    # The refused plan's own days are the ones the availability shows.
    assert f'data-first="{LAST.isoformat()}"' in text
    with booked.engine.connect() as conn:
        planned = conn.execute(sa.select(t.audits).where(t.audits.c.certification_id == "x2"))
        assert planned.all() == []
    web.headers["accept-language"] = "en"
    again = _post(web, "x2", "plan-audit", **_PLAN)
    assert again.status_code == 409
    assert "team.0.auditor: lead is already on audit s1 of Example Precision" in again.text


def test_planned_days_are_prefilled_from_the_contract_review(booked):
    web = signed_in(booked, "plan")
    with booked.engine.connect() as conn:
        row = conn.execute(sa.select(t.certifications).where(t.certifications.c.id == "x1"))
        initial = row.mappings().one()["initial_days"]
    page = web.get(PAGE.format(cid="x1")).text
    # Stage 1 (1.5 days) is planned: stage 2 is next, with what remains of the initial time.
    remains = max(0.5, -(-(initial - 1.5) * 2 // 1) / 2)
    assert f'data-prefill="stage2" data-prefill-days="{remains:g}"' in page
    assert re.search(rf'name="planned_days" type="number" value="{remains:g}"', page)
    assert '<option value="stage2" selected>' in page


@pytest.mark.parametrize(
    "start,end",
    [
        ("garbage", "2025-01-01"),
        ("2025-03-09", "2025-03-01"),
        ("2025-01-01", "2025-12-31"),
        ("9" * 5000, ""),
    ],
)
def test_dates_that_are_no_period_are_said_so_and_the_next_weeks_shown(booked, start, end):
    web = signed_in(booked, "plan")
    page = web.get(PAGE.format(cid="x2"), params={"start": start, "end": end})
    assert page.status_code == 200 and "data-bad-period" in page.text
    assert f'data-first="{TODAY.isoformat()}"' in page.text


@pytest.mark.parametrize("who", ["dec2", "client"])
def test_another_body_or_an_organisation_sees_no_ones_commitments(booked, who):
    web = signed_in(booked, who)
    page = web.get(
        PAGE.format(cid="x2"), params={"start": FIRST.isoformat(), "end": LAST.isoformat()}
    )
    assert page.status_code == 403
    assert "data-commitment" not in page.text and "示例精密制造有限公司" not in page.text


def test_an_auditor_without_the_planners_role_is_shown_no_availability(booked):
    web = signed_in(booked, "lead")
    page = web.get(PAGE.format(cid="x2"))
    assert page.status_code == 200
    assert 'data-rows="availability"' not in page.text and "data-commitment" not in page.text


def test_a_signed_out_visitor_is_sent_to_sign_in(booked):
    from fastapi.testclient import TestClient

    web = TestClient(booked.app, base_url="https://testserver")
    page = web.get(
        PAGE.format(cid="x2"), params={"start": FIRST.isoformat()}, follow_redirects=False
    )
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=")
