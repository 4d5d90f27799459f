"""The certification body's workspace pages over TestClient: dashboard figures against the
tables, charts, the timeline and its ledger proofs, every action form, refusals in both
languages, access for every account, CSRF and escaping."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.ledger import verify_proof
from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    GrantBodyScope,
    OpenAccount,
    PlanAudit,
    QualifyAuditor,
    RaiseFinding,
    RegisterAuditor,
    ReviewContract,
    SuspendCertificate,
    WithdrawCertificate,
)
from qcert.lifecycle.aggregate import add_months
from qcert.lifecycle.events import EVENTS
from qcert.server import create_app
from qcert.store import tables as t
from qcert.web import body_pages
from qcert.web.body_forms import FORMS
from qcert.web.body_text import EVENT_LABELS, MESSAGES, WEEKDAYS
from tests.e2e.conftest import ACCOUNTS, PASSWORD
from tests.integration.lifecycle.conftest import TEAM, apply, bus, certify, world  # noqa: F401
from tests.services import make_services

# The e2e world's accounts (ACCOUNTS, tests/e2e/conftest.py) over the lifecycle world of
# tests/integration/lifecycle/conftest.py, whose client has a central site and a plant.
CB1_STAFF = {"root", "admin1", "rev", "plan", "lead", "dec"}
CB2_STAFF = {"root", "dec2"}
# The body's day (Asia/Shanghai), the one its rules date things by, whatever the machine's zone.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def ws(world, engine, tmp_path):  # noqa: F811
    world(RegisterAuditor("lead", "2020-N1QMS-lead", "组长", "cb1"))
    world(QualifyAuditor("lead", "iso9001", [17]))
    world(RegisterAuditor("novice", "2024-N1QMS-novice", "新审核员", "cb1"))
    world(QualifyAuditor("novice", "iso9001", [19]))
    services = make_services(engine, tmp_path / "services")
    app = create_app(services, schedule=False)
    return SimpleNamespace(
        app=app, engine=engine, ledger=services.ledger, bus=world, opened=set(), services=services
    )


@pytest.fixture
def busy(ws):
    """Certifications of cb1 at every stage, with audits this month, programme items due soon
    and overdue, a suspension clock running and an open major nonconformity."""
    run = ws.bus
    # One organisation's applications, all filed before any of them is granted (once it holds a
    # live certificate, it applies for no second one at the same body).
    for cid in ("old", "soon", "susp", "wd", "app", "cr", "nc"):
        apply(run, cid)
    certify(run, "old", on=add_months(TODAY, -24), number="N-OLD", applied=True)
    soon = add_months(TODAY, -12) + timedelta(days=10)
    certify(run, "soon", on=soon, number="N-SOON", applied=True)
    certify(run, "susp", on=add_months(TODAY, -6), number="N-SUSP", applied=True)
    certify(run, "wd", on=add_months(TODAY, -6), number="N-WD", applied=True)
    run(SuspendCertificate("susp", "未按期接受监督审核", TODAY, 3))
    run(WithdrawCertificate("wd", "客户申请撤销", TODAY))
    run(ReviewContract("cr", "rev1"))
    run(ReviewContract("nc", "rev1"))
    run(PlanAudit("nc", "s1", "stage1", TEAM, "FS01", TODAY, TODAY, 1.5, ["hq"]))
    run(RaiseFinding("nc", "f1", "s1", "major", "8.5", "生产记录缺失", "lead1"))
    run(ApplyForCertification("other", "cb2", "c1", "iso9001", [17], ["hq"]))
    return ws


# One person holding every role of cb1 (a small body's staff), to see every form at once.
EVERY_ROLE = {
    "allcb1": [
        f"{role}@body:cb1"
        for role in (
            "cb-admin",
            "application-reviewer",
            "planner",
            "auditor",
            "technical-reviewer",
            "decision-maker",
        )
    ]
}


def signed_in(ws, who: str) -> TestClient:
    """A browser (HTTPS, so the Secure session cookie is sent) signed in as ``who``."""
    if who not in ws.opened:  # accounts are opened when first used: hashing takes a while
        ws.bus(OpenAccount(who, who, {**ACCOUNTS, **EVERY_ROLE}[who], PASSWORD))
        ws.opened.add(who)
    web = TestClient(ws.app, base_url="https://testserver")
    form = web.get("/signin")
    done = web.post(
        "/signin",
        data={"username": who, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return web


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def _counts(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', text)}


def _rows(engine, table) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


# Irreversible actions (decide, withdraw) are posted with their confirm box ticked.
_SURE = {"confirm": "yes"}


def _post(web, cid: str, action: str, **fields) -> object:
    page = web.get(f"/ws/bodies/cb1/certifications/{cid}")
    return web.post(
        f"/ws/bodies/cb1/certifications/{cid}/{action}",
        data={"csrf": _csrf(page.text), **fields},
        follow_redirects=False,
    )


def _one(engine, table, **where) -> dict:
    with engine.connect() as conn:
        query = sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
        return dict(conn.execute(query).mappings().one())


# .. the catalogue ...........................................................


def test_every_string_and_event_label_has_both_languages():
    for key, (zh, en) in {**MESSAGES, **EVENT_LABELS, **WEEKDAYS}.items():
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key
    shown = [n for n in EVENTS if n.split(".")[0] in ("certification", "certificate", "client")]
    assert shown and all(name in EVENT_LABELS for name in shown)


# .. the dashboard ...........................................................


def test_dashboard_figures_equal_counts_from_the_tables(busy):
    page = signed_in(busy, "dec").get("/ws/bodies/cb1")
    assert page.status_code == 200
    mine = lambda table: [r for r in _rows(busy.engine, table) if r["body_id"] == "cb1"]  # noqa: E731
    certs, audits = mine(t.certifications), mine(t.audits)
    undone = [r for r in mine(t.programme) if r["done_on"] is None]
    days = lambda r: (date.fromisoformat(r["due_by"]) - TODAY).days  # noqa: E731
    expected = {
        "clients": len({r["client_id"] for r in certs}),
        "certifications": len(certs),
        "audits_this_month": sum(a["start"][:7] == f"{TODAY:%Y-%m}" for a in audits),
        "due_soon": sum(0 <= days(r) <= 30 for r in undone),
        "overdue": sum(days(r) < 0 for r in undone),
        "suspensions": sum(c["status"] == "suspended" for c in mine(t.certificates)),
        "open_majors": sum(
            f["grade"] == "major" and f["status"] != "closed" for f in mine(t.findings)
        ),
    }
    assert _counts(page.text) == expected
    # The world exercises every figure, and cb2's application is not counted.
    assert expected["certifications"] == 7 and all(expected.values())
    assert expected["suspensions"] == 1 and expected["open_majors"] == 1
    deadline = _one(busy.engine, t.certificates, number="N-SUSP")["deadline"]
    assert f'data-days-left="{(date.fromisoformat(deadline) - TODAY).days}"' in page.text


def test_charts_carry_plotly_json_with_the_same_numbers_as_their_tables(busy):
    web = signed_in(busy, "admin1")
    page = web.get("/ws/bodies/cb1")
    figures = {
        k: json.loads(html.unescape(v))
        for k, v in re.findall(
            r'id="chart-(\w+)" role="img" aria-label="[^"]*" data-plotly="([^"]*)"', page.text
        )
    }
    assert set(figures) == {"stages", "audits", "statuses"}
    stages = figures["stages"]["data"][0]
    assert stages["type"] == "bar" and sum(stages["y"]) == 7
    audits = figures["audits"]["data"][0]
    months = [f"{add_months(TODAY, -n):%Y-%m}" for n in range(11, -1, -1)]
    cb1 = [a for a in _rows(busy.engine, t.audits) if a["body_id"] == "cb1"]
    assert audits["x"] == months
    assert audits["y"] == [sum(a["start"][:7] == m for a in cb1) for m in months]
    statuses = figures["statuses"]["data"][0]
    assert statuses["type"] == "pie" and sum(statuses["values"]) == 4
    table = re.search(r'data-chart-table="statuses">(.*?)</table>', page.text, re.S)[1]
    rows = [int(v) for v in re.findall(r'data-value="(\d+)"', table)]
    assert len(rows) == 4 and [v for v in rows if v] == statuses["values"]
    # Scripts come from this site only, as files: the page has no inline script.
    assert re.findall(r"<script[^>]*>", page.text) == [
        '<script src="/static/ws.js" defer>',
        '<script src="/static/plotly.min.js" defer>',
        '<script src="/static/charts.js" defer>',
    ]
    script = web.get("/static/charts.js")
    assert script.status_code == 200 and "Plotly.newPlot" in script.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert web.get("/static/plotly.min.js").status_code == 200


# .. the certifications list .................................................


def test_the_list_filters_by_stage_and_pages(busy, monkeypatch):
    web = signed_in(busy, "plan")
    active = web.get("/ws/bodies/cb1/certifications", params={"stage": "active"})
    assert re.findall(r'data-certification="(\w+)" data-stage="active"', active.text) == [
        "old",
        "soon",
    ]
    monkeypatch.setattr(body_pages, "PAGE_SIZE", 3)
    first = web.get("/ws/bodies/cb1/certifications").text
    third = web.get("/ws/bodies/cb1/certifications", params={"page": 3}).text
    assert re.findall(r'data-certification="(\w+)"', first) == ["app", "cr", "nc"]
    assert re.findall(r'data-certification="(\w+)"', third) == ["wd"]
    assert 'data-page="2"' in first and 'rel="next"' not in third and 'data-total="7"' in third
    bad = web.get("/ws/bodies/cb1/certifications", params={"stage": "nonsense"})
    assert bad.status_code == 422 and "stage：未知的阶段" in bad.text


# .. a certification's page and its timeline ................................


def test_the_timeline_lists_every_event_in_ledger_order_with_proofs_that_verify(busy):
    web = signed_in(busy, "dec")
    page = web.get("/ws/bodies/cb1/certifications/susp")
    assert page.status_code == 200
    shown = [int(i) for i in re.findall(r'<li data-event="(\d+)"', page.text)]
    e = t.events
    with busy.engine.connect() as conn:
        events = conn.execute(
            sa.select(e.c.ledger_index, e.c.document)
            .where(e.c.aggregate.in_(["certification:susp", "client:c1"]))
            .order_by(e.c.ledger_index)
        ).all()
    assert shown == [i for i, _ in events] and len(shown) > 10
    assert "证书暂停" in page.text and "客户登记" in page.text
    busy.ledger.sign_due()  # what the server's schedule does within seconds of the commits
    vkeys = web.get("/ledger/keys").json()["vkeys"]
    for index, document in events:
        link = f'href="/ledger/proof/{index}" download="qcert-proof-{index}.txt"'
        assert link in page.text
        bundle = web.get(f"/ledger/proof/{index}")
        assert bundle.status_code == 200
        assert verify_proof(bundle.text, document.encode(), vkeys).index == index


def test_a_certification_of_another_body_is_not_found_under_this_one(busy):
    web = signed_in(busy, "root")
    assert web.get("/ws/bodies/cb1/certifications/other").status_code == 404
    assert web.get("/ws/bodies/cb2/certifications/other").status_code == 200
    assert web.get("/ws/bodies/nope").status_code == 404


def test_forms_follow_the_viewers_roles(busy):
    offered = {
        who: re.findall(
            r'data-form="([\w-]+)"',
            signed_in(busy, who).get("/ws/bodies/cb1/certifications/old").text,
        )
        for who in ("admin1", "rev", "plan", "lead", "dec")
    }
    assert offered == {
        "admin1": [],
        "rev": ["technical-review"],
        "plan": ["plan-audit"],
        "lead": ["raise-finding"],
        "dec": ["suspend-certificate", "withdraw-certificate"],
    }
    suspended = signed_in(busy, "dec").get("/ws/bodies/cb1/certifications/susp").text
    assert re.findall(r'data-form="([\w-]+)"', suspended) == [
        "restore-certificate",
        "withdraw-certificate",
    ]


def test_the_planner_sees_competence_sample_and_the_calendar(busy):
    page = signed_in(busy, "plan").get("/ws/bodies/cb1/certifications/cr")
    assert 'data-auditor="lead" data-qualified="yes"' in page.text
    assert 'data-auditor="novice" data-qualified="no"' in page.text
    assert 'data-sample-initial="1"' in page.text  # IAF MD 1: one site besides the centre
    assert f'data-month="{TODAY:%Y-%m}"' in page.text
    cell = re.search(rf'data-day="{TODAY.isoformat()}"(.*?)</td>', page.text, re.S)[1]
    assert 'data-calendar-audit="nc/s1"' in cell
    assert all(f'for="plan-audit-{f}"' in page.text for f in ("audit_id", "kind", "method"))


def test_the_contract_review_shows_its_calculation_and_refuses_past_the_cap(busy):
    web = signed_in(busy, "rev")
    page = web.get("/ws/bodies/cb1/certifications/app")
    assert 'data-form="review-contract"' in page.text
    assert 'data-days="initial"' in page.text and "有效人数 55 属于" in page.text
    assert "[IAF MD 5:2019" in page.text and "[IAF MD 1:2018 7.3]" in page.text
    preview = _post(web, "app", "review-contract", step="preview", reduction_pct="10")
    assert preview.status_code == 200 and "按MD 5 因素减少 10%" in preview.text
    assert _one(busy.engine, t.certifications, id="app")["stage"] == "applied"
    capped = _post(web, "app", "review-contract", step="preview", reduction_pct="40")
    assert capped.status_code == 409 and 'data-rule="md5.reduction-cap"' in capped.text
    assert 'value="40"' in capped.text


def test_every_form_field_has_a_label(busy):
    # A product certification too: its planner records type tests.
    busy.bus(GrantBodyScope("cb1", "product", [17], date(2020, 1, 1)))
    busy.bus(ApplyForCertification("prod", "cb1", "c1", "product", [17], ["hq"]))
    busy.bus(ReviewContract("prod", "rev1"))
    web = signed_in(busy, "allcb1")
    seen = set()
    for cid in ("app", "nc", "old", "susp", "prod"):
        text = web.get(f"/ws/bodies/cb1/certifications/{cid}").text
        seen |= set(re.findall(r'data-form="([\w-]+)"', text))
        fields = re.findall(r"<(?:input|select|textarea)\b([^>]*)>", text)
        ids = [re.search(r'id="([^"]+)"', f)[1] for f in fields if 'type="hidden"' not in f]
        assert ids and all(f'<label for="{i}"' in text for i in ids), cid
    assert seen == set(FORMS) - {"decide"}


# .. every action through the page ..........................................


def test_each_action_form_changes_the_record(ws):
    run, engine = ws.bus, ws.engine
    run(ApplyForCertification("flow", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    rev, plan, lead, dec = (signed_in(ws, w) for w in ("rev", "plan", "lead", "dec"))
    stage = lambda: _one(engine, t.certifications, id="flow")["stage"]  # noqa: E731
    day = TODAY.isoformat()

    done = _post(rev, "flow", "review-contract", step="confirm", reduction_pct="0")
    assert done.status_code == 303
    assert (
        done.headers["location"]
        == "/ws/bodies/cb1/certifications/flow?done=review-contract#timeline"
    )
    assert stage() == "contract-reviewed"
    initial = _one(engine, t.certifications, id="flow")["initial_days"]

    plan_fields = {"kind": "stage1", "method": "FS01", "start": day, "end": day}
    s1 = _post(
        plan,
        "flow",
        "plan-audit",
        audit_id="s1",
        planned_days="1.5",
        sites="hq",
        **{"role.lead": "lead"},
        **plan_fields,
    )
    assert s1.status_code == 303 and stage() == "auditing"
    assert json.loads(_one(engine, t.audits, audit_id="s1")["team"]) == [
        {"auditor": "lead", "role": "lead"}
    ]
    s2 = plan.post(
        "/ws/bodies/cb1/certifications/flow/plan-audit",
        data={
            "csrf": _csrf(plan.get("/ws/bodies/cb1/certifications/flow").text),
            "audit_id": "s2",
            "kind": "stage2",
            "method": "FS01",
            "start": day,
            "end": day,
            "planned_days": str(initial - 1.5),
            "sites": ["hq", "plant"],
            "role.lead": "lead",
        },
        follow_redirects=False,
    )
    assert s2.status_code == 303
    assert _one(engine, t.audits, audit_id="s2")["planned_days"] == initial - 1.5

    assert (
        _post(
            lead, "flow", "check-in", audit_id="s1", direction="in", lat="39.96", lon="116.30"
        ).status_code
        == 303
    )
    evidence = "<script>alert(1)</script> 检验记录缺失"
    raised = _post(
        lead,
        "flow",
        "raise-finding",
        audit_id="s1",
        finding_id="f1",
        grade="major",
        clause="8.5",
        evidence=evidence,
    )
    assert raised.status_code == 303
    assert _one(engine, t.findings, finding_id="f1")["status"] == "open"
    for audit, days in (("s1", "1.5"), ("s2", str(initial - 1.5))):
        completed = _post(
            lead, "flow", "complete-audit", audit_id=audit, actual_days=days, last_day=day
        )
        assert completed.status_code == 303
    assert _one(engine, t.audits, audit_id="s2")["last_day"] == day

    assert _post(rev, "flow", "technical-review", recommendation="grant").status_code == 303
    assert stage() == "reviewed"

    refused = _post(
        dec, "flow", "decide", **_SURE, outcome="grant", on=day, number="N-FLOW", scope="零件"
    )
    assert refused.status_code == 409 and stage() == "reviewed"
    assert 'data-rule="decision.majors-open" data-source="ISO/IEC 17021-1:2015 9.5.3.2"' in (
        refused.text
    )
    assert "认证决定：仍有未关闭的严重不符合：f1" in refused.text
    assert 'value="N-FLOW"' in refused.text  # what was typed is kept
    assert '<label for="decide-number">' in refused.text
    dec.get("/lang/en")
    in_english = _post(
        dec, "flow", "decide", **_SURE, outcome="grant", on=day, number="N-FLOW", scope="x"
    )
    assert in_english.status_code == 409
    assert "decision: major nonconformities still open: f1" in in_english.text
    assert "ISO/IEC 17021-1:2015 9.5.3.2" in in_english.text and "认证决定" not in in_english.text

    run(AnswerFinding("flow", "f1", "补齐记录", "未规定记录要求", "修订程序文件"))
    assert _post(lead, "flow", "close-finding", finding_id="f1", on=day).status_code == 303
    assert _one(engine, t.findings, finding_id="f1")["status"] == "closed"

    granted = _post(
        dec, "flow", "decide", **_SURE, outcome="grant", on=day, number="N-FLOW", scope="零件"
    )
    assert granted.status_code == 303 and stage() == "active"
    assert _one(engine, t.certificates, number="N-FLOW")["scope"] == "零件"

    suspended = _post(dec, "flow", "suspend-certificate", reason="监督审核逾期", on=day, months="3")
    assert suspended.status_code == 303
    assert (
        _one(engine, t.certificates, number="N-FLOW")["deadline"]
        == add_months(TODAY, 3).isoformat()
    )
    assert _post(dec, "flow", "restore-certificate", on=day).status_code == 303
    assert stage() == "active"
    withdrawn = _post(dec, "flow", "withdraw-certificate", reason="客户申请", on=day, **_SURE)
    assert withdrawn.status_code == 303 and stage() == "withdrawn"

    page = dec.get("/ws/bodies/cb1/certifications/flow?done=withdraw-certificate")
    assert 'data-done="withdraw-certificate"' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 检验记录缺失" in page.text
    assert "<script>alert(1)" not in page.text


def test_a_planning_refusal_names_the_rule_and_keeps_the_input(busy):
    web = signed_in(busy, "plan")
    day = TODAY.isoformat()
    refused = _post(
        web,
        "cr",
        "plan-audit",
        audit_id="s1",
        kind="stage1",
        method="FS01",
        start=day,
        end=day,
        planned_days="1.5",
        sites="hq",
        **{"role.novice": "lead"},
    )
    assert refused.status_code == 409
    assert 'data-rule="auditor.qualified" data-source="ISO/IEC 17021-1:2015 7.2.4"' in refused.text
    assert "审核员 novice 不具备" in refused.text
    assert re.search(r'name="role.novice">.*?<option value="lead" selected>', refused.text, re.S)
    malformed = _post(
        web,
        "cr",
        "plan-audit",
        audit_id="s1",
        kind="stage1",
        method="FS01",
        start="tomorrow",
        end=day,
        planned_days="1.5",
        sites="hq",
    )
    assert malformed.status_code == 422 and "开始日期：须为日期（YYYY-MM-DD）" in malformed.text
    assert 'value="tomorrow"' in malformed.text


# .. access ..................................................................

PAGES = [
    ("cb1", "/ws/bodies/cb1"),
    ("cb1", "/ws/bodies/cb1/certifications"),
    ("cb1", "/ws/bodies/cb1/certifications/old"),
    ("cb2", "/ws/bodies/cb2"),
    ("cb2", "/ws/bodies/cb2/certifications"),
]


@pytest.mark.parametrize("who", sorted(ACCOUNTS))
def test_every_account_gets_each_page_or_a_403(ws, who):
    certify(ws.bus, "old", on=add_months(TODAY, -3), number="N-OLD")
    web = signed_in(ws, who)
    for body, path in PAGES:
        allowed = who in (CB1_STAFF if body == "cb1" else CB2_STAFF)
        page = web.get(path)
        assert page.status_code == (200 if allowed else 403), (who, path)
        if not allowed:
            assert 'data-status="403"' in page.text and "N-OLD" not in page.text


def test_signed_out_visitors_are_sent_to_sign_in(ws):
    web = TestClient(ws.app, base_url="https://testserver")
    page = web.get("/ws/bodies/cb1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=")


def test_a_post_without_its_csrf_token_is_refused(busy):
    web = signed_in(busy, "root")
    before = _rows(busy.engine, t.events)
    for action in FORMS:
        posted = web.post(f"/ws/bodies/cb1/certifications/susp/{action}", data={"on": "2020-01-01"})
        assert posted.status_code == 403 and "表单已过期或来源不明" in posted.text, action
        forged = web.post(
            f"/ws/bodies/cb1/certifications/susp/{action}", data={"csrf": "x", "on": "2020-01-01"}
        )
        assert forged.status_code == 403, action
    assert _rows(busy.engine, t.events) == before


def test_an_action_outside_the_viewers_roles_is_refused(busy):
    web = signed_in(busy, "plan")
    refused = _post(web, "susp", "withdraw-certificate", reason="x", on=TODAY.isoformat())
    assert refused.status_code == 403
    assert _one(busy.engine, t.certificates, number="N-SUSP")["status"] == "suspended"
    other = signed_in(busy, "dec2")
    forged = other.post(
        "/ws/bodies/cb1/certifications/susp/withdraw-certificate",
        data={"csrf": _csrf(other.get("/workspace").text), "reason": "x", "on": "2020-01-01"},
    )
    assert forged.status_code == 403


def test_the_timelines_instructions_work_as_written(busy, tmp_path):
    """Sign in, download an event's proof and its bytes from the links, run the command the
    page prints with the key /ledger/keys publishes: it verifies."""
    from typer.testing import CliRunner

    from qcert.cli.main import app as cli

    web = signed_in(busy, "dec")
    page = web.get("/ws/bodies/cb1/certifications/susp").text
    howto = html.unescape(re.search(r"<pre data-howto>([^<]*)</pre>", page)[1]).split()
    assert howto[:3] == ["qcert", "ledger", "verify-proof"]
    busy.ledger.sign_due()
    (vkey,) = web.get("/ledger/keys").json()["vkeys"][:1]
    suspended = re.search(r'<li data-event="(\d+)" data-type="certificate.suspended"', page)[1]
    links = dict(re.findall(r'href="([^"]+)" download="(qcert-(?:proof|entry)-\d+\.\w+)"', page))
    for href, name in links.items():
        if name.split("-")[-1].split(".")[0] == suspended:
            got = web.get(html.unescape(href))
            assert got.status_code == 200, href
            (tmp_path / name).write_bytes(got.content)
    files = {"qcert-proof-N.txt": f"qcert-proof-{suspended}.txt"}
    files["qcert-entry-N.json"] = f"qcert-entry-{suspended}.json"
    args = [str(tmp_path / files[a]) if a in files else vkey if a == "VKEY" else a for a in howto]
    result = CliRunner().invoke(cli, args[1:])
    assert result.exit_code == 0, result.output
    assert f"entry {suspended}" in result.output or suspended in result.output
    entry = (tmp_path / files["qcert-entry-N.json"]).read_bytes()
    assert b"certificate.suspended" in entry
    # A changed byte is not the entry the proof proves.
    (tmp_path / files["qcert-entry-N.json"]).write_bytes(entry.replace(b"susp", b"sush", 1))
    assert CliRunner().invoke(cli, args[1:]).exit_code != 0


def test_an_entry_off_this_timeline_is_not_served_from_it(busy):
    web = signed_in(busy, "dec")
    e = t.events
    with busy.engine.connect() as conn:
        other = conn.execute(
            sa.select(e.c.ledger_index).where(e.c.aggregate == "certification:other")
        ).scalar()
        own = conn.execute(
            sa.select(e.c.ledger_index).where(e.c.aggregate == "certification:susp")
        ).scalar()
    assert web.get(f"/ws/bodies/cb1/certifications/susp/entries/{own}").status_code == 200
    # Another body's event, through this body's certification: not found, not served.
    assert web.get(f"/ws/bodies/cb1/certifications/susp/entries/{other}").status_code == 404
    for bad in ("-1", "x", "9" * 30):
        assert web.get(f"/ws/bodies/cb1/certifications/susp/entries/{bad}").status_code == 404
    assert signed_in(busy, "dec2").get(
        f"/ws/bodies/cb1/certifications/susp/entries/{own}"
    ).status_code in (403, 404)


def test_complaints_and_appeals_show_on_the_certification_page(busy):
    from qcert.lifecycle import OpenCase, ResolveCase

    busy.bus(OpenCase("ap1", "appeal", "susp", "dec", "客户对暂停决定提出申诉"))
    busy.bus(OpenCase("co1", "complaint", "susp", "rev", "相关方投诉审核员迟到"))
    busy.bus(ResolveCase("ap1", "维持暂停决定", TODAY))
    page = signed_in(busy, "dec").get("/ws/bodies/cb1/certifications/susp").text
    rows = dict(re.findall(r'<tr data-case="(\w+)" data-kind="\w+" data-resolved="(\w+)"', page))
    assert rows == {"ap1": "yes", "co1": "no"}
    assert "维持暂停决定" in page and "客户对暂停决定提出申诉" in page
    assert f"已处理（{TODAY.isoformat()}）" in page
    types = re.findall(r'data-type="(case\.\w+)"', page)
    assert sorted(types) == ["case.opened", "case.opened", "case.resolved"]
    assert "受理投诉或申诉" in page  # the timeline names the events in words
    # Another certification's page does not show them.
    assert "data-case=" not in signed_in(busy, "dec").get("/ws/bodies/cb1/certifications/wd").text


def test_a_check_in_far_from_the_site_is_marked_on_the_page(busy):
    from qcert.lifecycle import CheckIn

    busy.bus(CheckIn("nc", "s1", "lead1", 0.0, 0.0), follow=False)  # 12,000 km from hq
    busy.bus(CheckIn("nc", "s1", "aud1", 39.96, 116.30), follow=False)  # at hq
    page = signed_in(busy, "dec").get("/ws/bodies/cb1/certifications/nc").text
    assert page.count('data-anomaly="far-from-site"') == 1
    assert "异常：偏离审核场所超过 5 公里" in page and "距场所 hq 0 公里" in page
