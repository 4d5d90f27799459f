"""Who may open which workspace page: every page route of the body workspace and the
organisation portal, filled with records of both bodies and both organisations, against every
account and an anonymous visitor. The expected outcome of each pair comes from the table below,
never from the response; a 403 or 404 page never shows the record's data, and a page a viewer
may open never shows another body's records. Every form route refuses a post without the
session's CSRF token and records nothing. Every page passes the accessibility basics.

The read-only tests share one world, built once on SQLite for the module; the test whose posts
go through builds its own. The pages' own tests run their scoped queries on PostgreSQL too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import anyio.from_thread
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qcert.lifecycle import (
    ApplyForCertification,
    CompleteAudit,
    OpenCase,
    PlanAudit,
    RaiseFinding,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
)
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.notices import Due, SendNotices
from qcert.notices.model import notice_id
from qcert.quality.demo_line import line_readings
from qcert.store import create_engine, migrate
from qcert.store import tables as t
from qcert.web.body_forms import FORMS
from tests.e2e.web.staffed_world import (
    ACCOUNTS,
    BODIES,
    CLIENTS,
    ISO9001,
    PASSWORD,
    PRODUCT,
    Staffed,
    staff,
)
from tests.photos import jpeg
from tests.stream_world import register_line, send

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the body's day
ANONYMOUS = "anonymous"
EVIDENCE = "EVIDENCE-C1 首件检验记录缺失"

# Who has a role where (tests/e2e/web/staffed_world.py): cb1's staff, cb2's, and who sees each
# organisation (its own users, and the staff of bodies certifying it: c2 applied to cb1 too).
CB1 = {"root", "admin1", "rev", "plan", "lead", "dec"}
CB2 = {"root", "dec2"}
C1 = CB1 | {"client", "cadmin"}
# Who downloads a body's reporting files: its cb-admin and decision makers (and the platform).
REPORTERS = {"cb1": frozenset({"root", "admin1", "dec"}), "cb2": frozenset({"root", "dec2"})}
C2 = CB1 | CB2
# The organisation's own users, and application reviewers of a body it consented to (c1 gave
# cb1 its consent; c2 gave none, and has no users here).
APPLIERS = {"c1": {"rev", "client", "cadmin"}, "c2": set()}
OWN = {"c1": {"client", "cadmin"}, "c2": set()}  # the organisation's users and consents page

# What would show that a page leaked a record: text found only in that record's pages.
MARKERS = {
    "cb1": {*BODIES["cb1"], "N-C1-0001", "N-C1-0005", EVIDENCE, "c1-running"},
    "cb2": {*BODIES["cb2"], "N-C2-0002", "c2-active"},
    "c1": {*CLIENTS["c1"], "北京市海淀区示例路1号", "c1-manual.txt", "N-C1-0001"},
    "c2": {*CLIENTS["c2"], "深圳市南山区远方路9号", "c2-handbook.txt", "N-C2-0002"},
}
# On an organisation's pages, what a body's staff must not see: the other body's records.
NOT_THEIRS = {
    "c2": {
        # c2's document was given for cb2's certification: cb1's staff do not read it.
        **{
            who: {*BODIES["cb2"], "N-C2-0002", "c2-active", "c2-handbook.txt"}
            for who in CB1 - {"root"}
        },
        "dec2": {*BODIES["cb1"], "c2-at-cb1"},
    },
}


@dataclass(frozen=True)
class Case:
    """A page of the workspace with its path filled in, and who may open it.

    ``allowed`` get the page (200); ``missing`` get the 404 page (a record that is not where
    the path says); every other account gets the 403 page, and anonymous visitors the sign-in
    page. ``records`` name the MARKERS a refusal must not show.
    """

    route: str
    path: str
    allowed: frozenset[str]
    records: tuple[str, ...]
    missing: frozenset[str] = frozenset()

    def expected(self, who: str) -> int | str:
        if who == ANONYMOUS:
            return "signin"
        if who in self.allowed:
            return 200
        return 404 if who in self.missing else 403


def _cases(docs: dict[str, str]) -> list[Case]:
    """The table: each page route filled with records of both bodies and both organisations."""
    ws, portal = "/ws/bodies/{body_id}", "/portal/{client_id}"
    cert, credential = ws + "/certifications/{cid}", portal + "/certificates/{number}/credential"
    cases = []
    for body, cid, staff_ in (("cb1", "c1-active", CB1), ("cb2", "c2-active", CB2)):
        allowed, records = frozenset(staff_), (body,)
        cases += [
            Case(ws, f"/ws/bodies/{body}", allowed, records),
            Case(ws + "/certifications", f"/ws/bodies/{body}/certifications", allowed, records),
            Case(cert, f"/ws/bodies/{body}/certifications/{cid}", allowed, records),
            Case(
                cert + "/entries/{index}",
                f"/ws/bodies/{body}/certifications/{cid}/entries/{docs['entry:' + cid]}",
                allowed,
                records,
            ),
            # An action's address opened directly leads (303) to the certification's page.
            Case(
                cert + "/{action}",
                f"/ws/bodies/{body}/certifications/{cid}/decide",
                allowed,
                records,
            ),
            # Search, the dashboard's lists and downloads: the body's staff; the reporting
            # downloads: its cb-admin, decision makers and reporters (REPORTERS).
            Case(ws + "/search", f"/ws/bodies/{body}/search?q=N-C", allowed, records),
            Case(ws + "/lists/{name}", f"/ws/bodies/{body}/lists/overdue", allowed, records),
            Case(
                ws + "/export/{listing_name}",
                f"/ws/bodies/{body}/export/certifications?format=csv",
                allowed,
                records,
            ),
            Case(ws + "/reports", f"/ws/bodies/{body}/reports", REPORTERS[body], records),
            Case(
                ws + "/reports/certsearch",
                f"/ws/bodies/{body}/reports/certsearch",
                REPORTERS[body],
                records,
            ),
            Case(
                ws + "/reports/national",
                f"/ws/bodies/{body}/reports/national",
                REPORTERS[body],
                records,
            ),
        ]
    for client, viewers in (("c1", C1), ("c2", C2)):
        allowed, records, base = frozenset(viewers), (client,), f"/portal/{client}"
        cases += [
            Case(portal, base, allowed, records),
            Case(portal + "/apply", f"{base}/apply", frozenset(APPLIERS[client]), records),
            Case(portal + "/users", f"{base}/users", frozenset(OWN[client]), records),
            Case(portal + "/plan", f"{base}/plan", allowed, records),
            Case(portal + "/findings", f"{base}/findings", allowed, records),
            Case(portal + "/documents", f"{base}/documents", allowed, records),
            # Each document was given for a certification: of c2's, only cb2 (which holds it)
            # reads it; cb1's staff, who see c2, learn only that it is not there.
            Case(
                portal + "/documents/{sha256}",
                f"{base}/documents/{docs[client]}",
                allowed if client == "c1" else frozenset(C2 - (CB1 - {"root"})),
                records,
                frozenset() if client == "c1" else frozenset(CB1 - {"root"}),
            ),
            Case(portal + "/certificates", f"{base}/certificates", allowed, records),
            Case(portal + "/streams", f"{base}/streams", allowed, records),
            Case(portal + "/streams/live", f"{base}/streams/live", allowed, records),
            Case(
                portal + "/streams/{device_id}/readings/{seq}/proof",
                f"{base}/streams/{client}-line/readings/0/proof",
                allowed,
                records,
            ),
            Case(portal + "/examination", f"{base}/examination", allowed, records),
        ]
    # An organisation's streams in a body's workspace: the staff of a body that reads it (c2
    # applied to cb1 too); a body that does not learns only that it is not there.
    streams = ws + "/clients/{client_id}"
    for body, client, allowed_, missing in (
        ("cb1", "c1", CB1, set()),
        ("cb1", "c2", CB1, set()),
        ("cb2", "c2", CB2, set()),
        ("cb2", "c1", set(), CB2),
    ):
        base = f"/ws/bodies/{body}/clients/{client}"
        for route, path in (
            ("/streams", "/streams"),
            ("/streams/live", "/streams/live"),
            (
                "/streams/{device_id}/readings/{seq}/proof",
                f"/streams/{client}-line/readings/0/proof",
            ),
            ("/examination", "/examination"),
        ):
            cases.append(
                Case(
                    streams + route,
                    base + path,
                    frozenset(allowed_),
                    (client,),
                    frozenset(missing),
                )
            )
    # The organisations' pages: the body's staff whose work is with clients, for organisations
    # it deals with; the auditors' list: those who assign competence; an auditor's record:
    # those, and the auditor (lead is cb1's).
    clients, auditors = ws + "/clients", ws + "/auditors"
    for body, client, allowed_, missing in (
        ("cb1", "c1", CB1, set()),
        ("cb1", "c2", CB1, set()),
        ("cb2", "c2", CB2, set()),
        ("cb2", "c1", set(), CB2),
    ):
        cases.append(
            Case(
                clients + "/{client_id}",
                f"/ws/bodies/{body}/clients/{client}",
                frozenset(allowed_),
                (client,),
                frozenset(missing),
            )
        )
    cases += [
        Case(clients, "/ws/bodies/cb1/clients", frozenset(CB1), ("cb1",)),
        Case(clients, "/ws/bodies/cb2/clients", frozenset(CB2), ("cb2",)),
        Case(auditors, "/ws/bodies/cb1/auditors", frozenset(CB1 - {"lead"}), ("cb1",)),
        Case(auditors, "/ws/bodies/cb2/auditors", frozenset(CB2), ("cb2",)),
        Case(auditors + "/{auditor_id}", "/ws/bodies/cb1/auditors/lead", frozenset(CB1), ("cb1",)),
        Case(auditors + "/{auditor_id}", "/ws/bodies/cb2/auditors/far", frozenset(CB2), ("cb2",)),
    ]
    nobody = frozenset[str]()
    check_in = cert + "/audits/{audit_id}/check-in"
    return [
        *cases,
        # Notices: every account its own (the page shows no one else's), nobody anonymous.
        Case("/ws/notices", "/ws/notices", frozenset(ACCOUNTS), ()),
        # The phone check-in page: the audit's team alone (lead on c1-running's s1; cb2's
        # audit was held by an auditor without an account here), not the body's other staff.
        Case(
            check_in,
            "/ws/bodies/cb1/certifications/c1-running/audits/s1/check-in",
            frozenset({"lead"}),
            ("cb1",),
        ),
        Case(
            check_in, "/ws/bodies/cb2/certifications/c2-active/audits/s1/check-in", nobody, ("cb2",)
        ),
        Case(credential, "/portal/c1/certificates/N-C1-0001/credential", frozenset(C1), ("c1",)),
        # cb2's certificate of c2: cb1's staff see c2, but not that certificate.
        Case(
            credential,
            "/portal/c2/certificates/N-C2-0002/credential",
            frozenset(CB2),
            ("c2", "cb2"),
            frozenset(CB1 - {"root"}),
        ),
        # A body's complaints and appeals, people and client forms: its staff read the cases
        # and see the forms their roles allow; its cb-admin alone manages its people.
        *[
            Case(ws + route, f"/ws/bodies/{body}{path}", frozenset(staff_), (body,))
            for body, staff_ in (("cb1", CB1), ("cb2", CB2))
            for route, path in (
                ("/cases", "/cases"),
                ("/cases/{case_id}", f"/cases/case-{body}"),
                ("/client-forms", "/client-forms"),
            )
        ],
        Case(ws + "/people", "/ws/bodies/cb1/people", frozenset({"root", "admin1"}), ("cb1",)),
        Case(ws + "/people", "/ws/bodies/cb2/people", frozenset({"root"}), ("cb2",)),
        Case(
            ws + "/cases/{case_id}",
            "/ws/bodies/cb1/cases/case-cb2",
            nobody,
            ("cb2",),
            frozenset(CB1),
        ),
        # A record asked for where it is not: cb2's certification under cb1, c2's document
        # under c1. Those who may see the place learn only that it is not there.
        Case(cert, "/ws/bodies/cb1/certifications/c2-active", nobody, ("cb2",), frozenset(CB1)),
        # An entry of cb2's certification asked for on cb1's: not on that timeline.
        Case(
            cert + "/entries/{index}",
            f"/ws/bodies/cb1/certifications/c1-active/entries/{docs['entry:c2-active']}",
            nobody,
            ("cb2",),
            frozenset(CB1),
        ),
        Case(
            portal + "/documents/{sha256}",
            f"/portal/c1/documents/{docs['c2']}",
            nobody,
            ("c2",),
            frozenset(C1),
        ),
    ]


# .. the world ...............................................................


@dataclass
class Matrix:
    world: Staffed
    app: FastAPI
    docs: dict[str, str]
    browsers: dict[str, TestClient]
    # One event loop on a thread of its own answers every client's requests, as one served
    # process does; a client left to itself starts a thread and a loop for each request.
    # (Not the clients' own context, which would start the application's schedule.)
    portal: anyio.from_thread.BlockingPortal

    def as_(self, who: str) -> TestClient:
        """A client signed in as ``who`` (HTTPS, so the Secure session cookie is sent)."""
        if who not in self.browsers:
            web = TestClient(self.app, base_url="https://testserver")
            web.portal = self.portal
            if who != ANONYMOUS:
                form = web.get("/signin")
                done = web.post(
                    "/signin",
                    data={"username": who, "password": PASSWORD, "csrf": _csrf(form.text)},
                    follow_redirects=False,
                )
                assert done.status_code == 303, done.text
            self.browsers[who] = web
        return self.browsers[who]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', html)[1]


def _populate(world: Staffed) -> dict[str, str]:
    """cb1's certifications of c1 at every stage an action form is offered at, cb2's granted
    certification of c2 (which has applied to cb1 too), and one document of each organisation."""
    run = world.run
    # c1's applications to cb1 are all filed before any is granted: once it holds a live
    # certificate it applies for no second one at the same body.
    for state in ("active", "suspended", "applied", "running", "audited", "waiting"):
        world.apply(f"c1-{state}", "cb1", "c1")
    world.certify("c1-active", "cb1", "c1", "N-C1-0001", TODAY, applied=True)
    world.certify("c1-suspended", "cb1", "c1", "N-C1-0005", TODAY, applied=True)
    run(SuspendCertificate("c1-suspended", "未按期接受监督审核", TODAY, 3))
    team = [{"auditor": "lead", "role": "lead"}]
    for cid in ("c1-running", "c1-audited", "c1-waiting"):
        run(ReviewContract(cid, "rev"))
        run(PlanAudit(cid, "s1", "stage1", team, "FS01", TODAY, TODAY, 1.0, ["hq"]))
    run(RaiseFinding("c1-running", "f1", "s1", "minor", "8.5", EVIDENCE, "lead"))
    run(RaiseFinding("c1-running", "f2", "s1", "observation", "7.5", "记录格式不统一", "lead"))
    run(SendNotices((NOTICE,)))
    run(CompleteAudit("c1-audited", "s1", 1.0, TODAY))
    run(CompleteAudit("c1-waiting", "s1", 1.0, TODAY))
    run(PlanAudit("c1-waiting", "s2", "stage2", team, "FS01", TODAY, TODAY, 9.0, ["hq", "plant"]))
    run(CompleteAudit("c1-waiting", "s2", 9.0, TODAY))
    run(TechnicalReview("c1-waiting", "rev", "grant"))
    # A product certification of c1, contract reviewed: its type test is still to be recorded.
    run(ApplyForCertification("c1-product", "cb1", "c1", PRODUCT, [17], ["hq"]))
    run(ReviewContract("c1-product", "rev"))
    world.certify("c2-active", "cb2", "c2", "N-C2-0002", TODAY)
    # A complaint at each body, handled by someone not involved in the certification.
    run(OpenCase("case-cb1", "complaint", "c1-active", "admin1", "投诉 cb1"))
    run(OpenCase("case-cb2", "complaint", "c2-active", "handler2", "投诉 cb2"))
    run(ApplyForCertification("c2-at-cb1", "cb1", "c2", ISO9001, [17], ["works"]))
    # Each organisation's machining line streamed an hour of readings, anchored and signed.
    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) - timedelta(hours=2)
    for k, client in enumerate(("c1", "c2")):
        register_line(run, client, f"{client}-line")
        send(
            world.services.intake,
            client,
            f"{client}-line",
            line_readings(k, n=60, fault_at=None).frame,
            start,
        )
    world.services.intake.anchor_due(datetime.now(ZoneInfo("UTC")))
    world.ledger.sign_due()
    with world.engine.connect() as conn:
        first = {
            cid: conn.execute(
                sa.select(sa.func.min(t.events.c.ledger_index)).where(
                    t.events.c.aggregate == f"certification:{cid}"
                )
            ).scalar_one()
            for cid in ("c1-active", "c2-active")
        }
    return {
        "c1": world.upload("c1", "c1-manual.txt", "质量手册 c1".encode(), "c1-active"),
        "c2": world.upload("c2", "c2-handbook.txt", "质量手册 c2".encode(), "c2-active"),
        **{f"entry:{cid}": str(index) for cid, index in first.items()},
    }


def _matrix(root: Path) -> Iterator[Matrix]:
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, root)
    docs = _populate(world)
    with anyio.from_thread.start_blocking_portal() as portal:
        yield Matrix(world, world.app(), docs, {}, portal)
    engine.dispose()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """The world every read-only test of this module shares."""
    yield from _matrix(tmp_path_factory.mktemp("matrix"))


@pytest.fixture
def changing(tmp_path: Path) -> Iterator[Matrix]:
    """A world of its own, for a test whose posts go through."""
    yield from _matrix(tmp_path)


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every route of ``app``, looking inside included routers (newer FastAPI nests them)."""

    def flat(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from flat(inner.routes)
            else:
                yield route

    return flat(app.routes)


def _page_routes(app: FastAPI, method: str) -> set[str]:
    return {
        r.path
        for r in _routes(app)
        if method in (getattr(r, "methods", None) or ()) and r.path.startswith(("/ws/", "/portal/"))
    }


# .. every page against every account ........................................


def test_the_table_covers_every_page_route_of_the_workspace_and_portal(matrix):
    covered = {case.route for case in _cases(matrix.docs)}
    assert _page_routes(matrix.app, "GET") == covered
    assert len(covered) == 38


def _outcome(response: Any) -> int | str:
    if urlsplit(str(response.url)).path == "/signin" and response.history:
        return "signin"
    return response.status_code


@pytest.mark.parametrize("who", [*ACCOUNTS, ANONYMOUS])
def test_each_account_gets_the_page_or_a_403_never_the_data(matrix, who):
    web = matrix.as_(who)
    wrong = []
    for case in _cases(matrix.docs):
        response = web.get(case.path)
        expected, got = case.expected(who), _outcome(response)
        if got != expected:
            wrong.append(f"{case.path}: expected {expected}, got {got}")
            continue
        text = response.text
        if got in (403, 404):
            assert f'data-status="{got}"' in text, case.path
        if got == "signin":
            assert response.history[0].status_code == 303, case.path
        # A refusal shows none of the record's data (the path itself may echo in links).
        shown = unquote(case.path)
        hidden = set() if got == 200 else {m for r in case.records for m in MARKERS[r]}
        client = case.path.split("/")[2] if case.path.startswith("/portal/") else ""
        hidden |= NOT_THEIRS.get(client, {}).get(who, set()) if got == 200 else set()
        leaked = sorted(m for m in hidden if m in text and m not in shown)
        assert not leaked, f"{who} on {case.path} ({got}) sees {leaked}"
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


# .. forms without their CSRF token ..........................................

_DAY = TODAY.isoformat()
# Each action form with fields the command would accept, on a certification where it fits:
# only the missing token stands between the post and a new event.
_ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "review-contract": ("c1-applied", {"step": "confirm", "reduction_pct": "0"}),
    "plan-audit": (
        "c1-running",
        {
            "audit_id": "s9",
            "kind": "stage2",
            "method": "FS01",
            "start": _DAY,
            "end": _DAY,
            "planned_days": "9",
            "sites": ["hq", "plant"],
            "role.lead": "lead",
        },
    ),
    "check-in": (
        "c1-running",
        {"audit_id": "s1", "direction": "in", "lat": "39.9", "lon": "116.3"},
    ),
    "complete-audit": ("c1-running", {"audit_id": "s1", "actual_days": "1", "last_day": _DAY}),
    "raise-finding": (
        "c1-running",
        {"audit_id": "s1", "finding_id": "f9", "grade": "minor", "clause": "8.5", "evidence": "x"},
    ),
    "close-finding": ("c1-running", {"finding_id": "f2", "on": _DAY}),
    "technical-review": ("c1-audited", {"recommendation": "grant"}),
    "decide": (
        "c1-waiting",
        {"outcome": "grant", "on": _DAY, "number": "N-C1-0009", "scope": "零件", "confirm": "yes"},
    ),
    "suspend-certificate": ("c1-active", {"reason": "x", "on": _DAY, "months": "3"}),
    "restore-certificate": ("c1-suspended", {"on": _DAY}),
    "withdraw-certificate": ("c1-active", {"reason": "x", "on": _DAY, "confirm": "yes"}),
    "record-test": (
        "c1-product",
        {
            "test_id": "t1",
            "stage": "type-test",
            "laboratory": "国家电器产品质量检验检测中心",
            "report_no": "R-1",
            "result": "pass",
            "on": _DAY,
        },
    ),
}


# A notice to c1's user (sent in the world below), which it marks read.
NOTICE = Due("client", "finding-overdue", "client", "c1-running", "f1", "2020-01-01", "cb1", "c1")
NOTICE_ID = notice_id("client", "finding-overdue", "c1-running", "f1", "2020-01-01")


def _posts() -> list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]]:
    """Every form route: (route, path, who posts, fields, files)."""
    action = "/ws/bodies/{body_id}/certifications/{cid}/{action}"
    # People act as themselves: the lead auditor checks in and raises findings.
    posts = [
        (action, f"/ws/bodies/cb1/certifications/{cid}/{name}", _POSTER[name], fields, None)
        for name, (cid, fields) in _ACTIONS.items()
    ]
    # c1 holds a live ISO 9001 certificate of cb1: it applies for the product scheme.
    apply = {"body_id": "cb1", "scheme_id": PRODUCT, "sectors": "17", "sites": "hq"}
    answer = {"correction": "补齐", "cause": "未规定", "action": "修订"}
    upload = {"file": ("manual.txt", "质量手册".encode(), "text/plain")}
    photo = {"photo": ("site.jpg", jpeg(), "image/jpeg")}
    located = {"direction": "in", "lat": "39.9", "lon": "116.3", "accuracy_m": "10"}
    portal = "/portal/{client_id}"
    return [
        *posts,
        (
            action.removesuffix("{action}") + "audits/{audit_id}/check-in",
            "/ws/bodies/cb1/certifications/c1-running/audits/s1/check-in",
            "lead",
            located,
            photo,
        ),
        (portal + "/apply", "/portal/c1/apply", "client", apply, None),
        (
            portal + "/findings/{certification_id}/{finding_id}/answer",
            "/portal/c1/findings/c1-running/f1/answer",
            "client",
            answer,
            None,
        ),
        (portal + "/documents", "/portal/c1/documents", "client", {"purpose": "手册"}, upload),
        (portal + "/users", "/portal/c1/users", "cadmin", {"role": "client-user"}, None),
        (portal + "/consents", "/portal/c1/consents", "cadmin", {"body_id": "cb2"}, None),
        ("/ws/notices/{notice_id}/read", f"/ws/notices/{NOTICE_ID}/read", "client", {}, None),
        ("/ws/notices/address", "/ws/notices/address", "client", {"email": "c@x.example"}, None),
        *_admin_posts(),
    ]


def _admin_posts() -> list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]]:
    """The body's administration forms: cases, people, client registration."""
    ws = "/ws/bodies/{body_id}"
    case = {"kind": "complaint", "certification_id": "c1-active", "handler": "admin1"}
    person = {"display_name": "新同事", "password": "a long first password", "roles": "auditor"}
    first17 = "91310115MA1H7Y3B2"
    client = {
        "client_id": "c-new",
        "uscc": first17 + uscc_check_char(first17),
        "name_zh": "新登记公司",
        "address": "上海市浦东新区示例路3号",
        "adcode": "310115",
        "personnel": "40",
        "site_id": "hq",
        "site_name": "总部",
        "lat": "31.22",
        "lon": "121.54",
    }
    return [
        (
            ws + "/cases",
            "/ws/bodies/cb1/cases",
            "admin1",
            {**case, "case_id": "case-new", "summary": "x"},
            None,
        ),
        # a step before the decision: nothing is recorded on a closed case
        (
            ws + "/cases/{case_id}/{step}",
            "/ws/bodies/cb1/cases/case-cb1/progress",
            "admin1",
            {"note": "已调阅审核报告"},
            None,
        ),
        (
            ws + "/cases/{case_id}/resolve",
            "/ws/bodies/cb1/cases/case-cb1/resolve",
            "admin1",
            {"outcome": "已处理", "on": _DAY, "confirm": "yes"},
            None,
        ),
        (
            ws + "/people",
            "/ws/bodies/cb1/people",
            "admin1",
            {**person, "account_id": "newcomer"},
            None,
        ),
        (
            ws + "/people/{account_id}/{action}",
            "/ws/bodies/cb1/people/lead/grant-role",
            "admin1",
            {"role": "planner"},
            None,
        ),
        (
            ws + "/client-forms/{action}",
            "/ws/bodies/cb1/client-forms/register-client",
            "admin1",
            client,
            None,
        ),
    ]


# Who posts each action: the role the access policy asks of it (ISO/IEC 17021-1 9.1-9.6).
_POSTER = {
    "review-contract": "rev",
    "plan-audit": "plan",
    "check-in": "lead",
    "complete-audit": "lead",
    "raise-finding": "lead",
    "close-finding": "lead",
    "technical-review": "rev",
    "decide": "dec",
    "suspend-certificate": "dec",
    "restore-certificate": "dec",
    "withdraw-certificate": "dec",
    "record-test": "plan",
}


def test_every_form_route_is_tried_without_its_token(matrix):
    assert _page_routes(matrix.app, "POST") == {route for route, *_ in _posts()}
    assert {path.rsplit("/", 1)[1] for _, path, *_ in _posts()} >= set(FORMS)


def test_a_form_posted_without_its_csrf_token_is_refused_and_records_nothing(changing):
    world = changing.world
    before = (world.events(), world.ledger.size())
    # A token of another session (dec2's) is no better than none.
    stolen = _csrf(changing.as_("dec2").get("/workspace").text)
    for _, path, who, fields, files in _posts():
        web = changing.as_(who)
        for token in ({}, {"csrf": stolen}, {"csrf": ""}):
            posted = web.post(path, data={**fields, **token}, files=files, follow_redirects=False)
            assert posted.status_code == 403, (path, token, posted.text[:300])
            assert "表单已过期或来源不明" in posted.text, path
    assert (world.events(), world.ledger.size()) == before
    # With the session's own token the very same posts go through: only the token was missing.
    for _, path, who, fields, files in _posts():
        web = changing.as_(who)
        token = _csrf(web.get("/workspace").text)
        posted = web.post(path, data={**fields, "csrf": token}, files=files, follow_redirects=False)
        # An invitation's page answers with its code (shown once), not a redirect.
        done = 200 if path.endswith("/users") else 303
        assert posted.status_code == done, (path, posted.text[:300])
    assert world.events() >= before[0] + len(_posts())


def test_sign_in_and_sign_out_forms_need_their_tokens_too(matrix):
    web = TestClient(matrix.app, base_url="https://testserver")
    web.get("/signin")
    refused = web.post(
        "/signin", data={"username": "root", "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403 and "qcert_session" not in web.cookies
    web = TestClient(matrix.app, base_url="https://testserver")
    form = web.get("/signin")
    web.post("/signin", data={"username": "root", "password": PASSWORD, "csrf": _csrf(form.text)})
    assert web.post("/signout", data={}, follow_redirects=False).status_code == 403
    assert web.get("/workspace", follow_redirects=False).status_code == 200  # still signed in


# .. accessibility basics ....................................................


class _Audit(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str]] = []
        self.labelled: set[str] = set()
        self.ids: list[str] = []
        self.problems: list[str] = []
        self.forms: list[list[str]] = []  # the buttons of each form
        self.tables: list[int] = []  # the header cells of each table
        self.data_forms: set[str] = set()
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        if "data-form" in a:
            self.data_forms.add(a["data-form"])
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        if tag in ("input", "select", "textarea"):
            if a.get("type") not in ("hidden", "submit", "button"):
                self.fields.append({"tag": tag, **a})
            elif a.get("type") == "submit" and self.forms:
                self.forms[-1].append("input")
        if tag == "form":
            self.forms.append([])
        if tag == "button" and self.forms:
            self.forms[-1].append(a.get("type", "submit"))
        if tag == "table":
            self.tables.append(0)
        if tag == "th" and self.tables:
            self.tables[-1] += 1
        if tag == "a" and not a.get("href"):
            self.problems.append(f"<a> without href: {a}")
        if any(k.startswith("on") for k in a):
            self.problems.append(f"inline event handler on <{tag}>: {a}")
        if a.get("role") in ("button", "link") and tag not in ("a", "button"):
            self.problems.append(f"<{tag} role={a['role']}> is not keyboard-operable")
        if a.get("tabindex", "0").lstrip("-").isdigit() and int(a.get("tabindex", "0")) > 0:
            self.problems.append(f"positive tabindex on <{tag}>")
        if tag in ("a", "button", "input", "select", "textarea") and a.get("tabindex") == "-1":
            self.problems.append(f"<{tag}> taken out of the tab order: {a}")

    def check(self) -> list[str]:
        """Every problem found: unlabelled fields, duplicate ids, forms without a submit
        button, tables without header cells, actions the keyboard cannot reach."""
        found = list(self.problems)
        if self.lang not in ("zh-CN", "en"):
            found.append(f"<html lang={self.lang!r}>")
        for f in self.fields:
            if not (
                f.get("aria-label") or f.get("aria-labelledby") or f.get("id") in self.labelled
            ):
                found.append(f"<{f['tag']} name={f.get('name')!r}> has no label")
        found += [
            f"duplicate id {i!r}" for i in sorted({i for i in self.ids if self.ids.count(i) > 1})
        ]
        found += [
            "a form without a submit button"
            for b in self.forms
            if "submit" not in b and "input" not in b
        ]
        found += ["a table without header cells" for th in self.tables if th == 0]
        return found


def _audited(web: TestClient, path: str) -> _Audit:
    response = web.get(path)
    assert response.status_code == 200, path
    audit = _Audit()
    audit.feed(response.text)
    return audit


def test_every_page_labels_its_fields_and_keeps_its_actions_keyboard_reachable(matrix):
    certifications = ("c1-applied", "c1-running", "c1-audited", "c1-waiting", "c1-active")
    certifications += ("c1-suspended", "c1-product")
    pages = {
        who: [
            "/workspace",
            "/transparency",
            "/account",
            "/join",
            *(c.path for c in _cases(matrix.docs) if c.expected(who) == 200),
            *(f"/ws/bodies/cb1/certifications/{cid}" for cid in certifications if who in CB1),
        ]
        for who in ("root", "client", "cadmin", "rev", "plan", "lead", "dec", "dec2")
    }
    pages[ANONYMOUS] = ["/signin", "/verify", "/v/N-C1-0001", "/transparency", "/join"]
    problems, forms = [], set()
    for who, paths in pages.items():
        web = matrix.as_(who)
        for path in paths:
            downloads = ("/credential", "/proof", "/streams/live", "/certsearch", "/national")
            files = ("/documents/", "/entries/", "/export/")
            if any(f in path for f in files) or path.split("?")[0].endswith(downloads):
                continue  # downloads and data, not pages
            audit = _audited(web, path)
            problems += [f"{who} {path}: {p}" for p in audit.check()]
            forms |= audit.data_forms
    assert not problems, "\n".join(problems)
    # Every action form of the workspace and the portal was among the pages checked.
    assert forms >= {*FORMS, "apply", "answer", "upload", "invite", "consent"}
    assert forms >= {"password", "sessions", "join"}


def test_an_action_address_refuses_outsiders_itself_not_at_the_next_hop(matrix):
    path = "/ws/bodies/cb1/certifications/c1-active/decide"
    outsider = matrix.as_("dec2").get(path, follow_redirects=False)
    assert outsider.status_code == 403 and 'data-status="403"' in outsider.text
    staff = matrix.as_("dec").get(path, follow_redirects=False)
    assert staff.status_code == 303
    assert staff.headers["location"].endswith("/certifications/c1-active#form-decide")
