"""Who may run which command and call which route: the whole table, from the registries.

Every command of the bus, with a sample aimed at body cb1's records and organisation c1's, is
put to every principal: anonymous, each of c1's two roles, each body role at cb1 and at cb2, and
the platform's administrator. Who may run it comes from the table below, never from the policy
under test; a command without a row fails. The refused are refused through the HTTP API too
(401 or 403, nothing recorded). Every GET route of the API is called by every principal with
its path filled from the same world, and answers as its row says. (The workspace's and the
portal's pages have their own table: tests/e2e/web/test_access_matrix.py.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from qcert import security
from qcert.access import ANONYMOUS, Forbidden, Principal, Unauthenticated, command_names
from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential, PublishStatus
from qcert.evidence import monitor_commands as monitors
from qcert.evidence.commands import AnchorWindows, RegisterDevice, RetireDevice, RotateDeviceKey
from qcert.evidence.intake import Message
from qcert.exchange.submission import Envelope, envelope
from qcert.keys import load_signers
from qcert.ledger.hashing import SHA256
from qcert.lifecycle import commands as c
from qcert.notices import commands as notices
from qcert.notices.model import notice_id
from qcert.server import create_app
from qcert.store import create_engine, migrate
from qcert.store import tables as t
from qcert.supervision import commands as hub
from qcert.supervision.draw import commitment
from qcert.supervision.warnings import warning_id
from tests.clock import ScenarioClock
from tests.integration.lifecycle.conftest import SITES
from tests.services import SYSTEM, make_services

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

TODAY = date(2025, 6, 2)
AT = datetime(2025, 6, 1, tzinfo=UTC)
BODY_ROLES = (
    "cb-admin",
    "application-reviewer",
    "planner",
    "auditor",
    "technical-reviewer",
    "decision-maker",
)
# The principals, by the name the table uses: an account of that name holds exactly that role.
PRINCIPALS: dict[str, list[str]] = {
    "platform": ["platform-admin@platform"],
    "c1-user": ["client-user@client:c1"],
    "c1-admin": ["client-admin@client:c1"],
    **{f"cb1-{r}": [f"{r}@body:cb1"] for r in BODY_ROLES},
    **{f"cb2-{r}": [f"{r}@body:cb2"] for r in BODY_ROLES},
    # the hub's people: regulators of two provinces, and a reporting body's uploader
    "reg-bj": ["regulator@region:110000"],
    "reg-sh": ["regulator@region:310000"],
    "hubcb-reporter": ["reporter@body:hubcb"],
}
EVERYONE = frozenset({"anonymous", *PRINCIPALS})
SIGNED_IN = frozenset(PRINCIPALS)
CB1 = frozenset(f"cb1-{r}" for r in BODY_ROLES)
C1 = frozenset({"c1-user", "c1-admin"})
PDF = b"%PDF-1.4 manual\n%%EOF\n"
HUB_KEY = Ed25519PrivateKey.generate()
# Commands open to someone not signed in (a submission signed with the body's key): the
# unsigned sample is refused with 403, not 401.
OPEN_TO_ANONYMOUS = {"submit-report"}


def _hub_records(number: str = "HUB-1") -> list[dict[str, Any]]:
    at = "2025-06-01T08:00:00Z"
    organisation = {"uscc": "91110108551385082Q", "name": "公司", "region": "110108"}
    return [
        {
            "kind": "application",
            "id": "a1",
            "occurred_at": at,
            "certification_id": "h1",
            "organisation": organisation,
            "scheme_id": "iso9001",
            "received_on": "2025-05-01",
        },
        {
            "kind": "certificate",
            "id": "k1",
            "occurred_at": at,
            "certification_id": "h1",
            "certificate_no": number,
            "uscc": "91110108551385082Q",
            "scheme_id": "iso9001",
            "issued_on": "2025-05-20",
            "expires_on": "2028-05-19",
        },
    ]


WARNING = {
    "indicator": "checkin-far",
    "entity_kind": "audit",
    "entity_id": "s1",
    "body_id": "hubcb",
    "org_id": "91110108551385082Q",
    "region": "110108",
    "value": 42.0,
    "threshold": 5.0,
    "evidence": ["a1"],
    "day": "2025-05-01",
}
WARNING_ID = warning_id("checkin-far", "audit", "s1")


def _report() -> Any:
    return hub.SubmitReport(
        Envelope.model_validate(envelope("hubcb", "2025-06-01T09:00:00Z", _hub_records()))
    )


Sample = Callable[[str], Any]  # the command, given who runs it (people act as themselves)

# command -> (a sample aimed at cb1's or c1's records, who may run it)
# A notice to cb1's planner, sent in the world below: only its recipient marks it read.
NOTICE = notices.Due("cb1-planner", "case-open", "body", "c1-cert", "k1", "", "cb1", "c1")
NOTICE_ID = notice_id("cb1-planner", "case-open", "c1-cert", "k1", "")
TABLE: dict[str, tuple[Sample, frozenset[str]]] = {
    "register-body": (lambda _: c.RegisterBody("cb9", "A-9", "机构", "Body", "CNAS"), {"platform"}),
    "grant-body-scope": (
        lambda _: c.GrantBodyScope("cb1", "iso9001", [18], TODAY),
        {"platform"},
    ),
    "register-auditor": (
        lambda _: c.RegisterAuditor("a9", "R9", "审核员", "cb1"),
        {"cb1-cb-admin"},
    ),
    "qualify-auditor": (lambda _: c.QualifyAuditor("lead-a", "iso9001", [18]), {"cb1-cb-admin"}),
    "register-client": (
        lambda _: c.RegisterClient(
            "c9", "91440300708461136T", "公司", "Co", "深圳", "440305", 9, [SITES[0]]
        ),
        {"platform", "cb1-cb-admin", "cb2-cb-admin"},
    ),
    "give-consent": (lambda _: c.GiveConsent("c1", "cb2"), C1),
    "withdraw-consent": (lambda _: c.WithdrawConsent("c1", "cb1"), C1),
    "invite-user": (lambda _: c.InviteUser("c1", "client-user"), {"c1-admin"}),
    "join-with-invitation": (
        lambda _: c.JoinWithInvitation("qi_" + "0" * 16 + "_" + "A" * 43, "new", "New", "x" * 12),
        EVERYONE,  # the code is the capability; the handler checks it
    ),
    "accept-invitation": (
        lambda _: c.AcceptInvitation("c1-user", "qi_" + "0" * 16 + "_" + "A" * 43),
        {"c1-user"},
    ),
    "apply-for-certification": (
        lambda _: c.ApplyForCertification("c1-new", "cb1", "c1", "iso9001", [17], ["hq"]),
        C1 | {"cb1-application-reviewer"},  # c1 consented to cb1's reviewers filing for it
    ),
    "upload-document": (
        lambda who: c.UploadDocument(
            "c1",
            hashlib.sha256(PDF).hexdigest(),
            "m.pdf",
            "application/pdf",
            len(PDF),
            "manual",
            who or "nobody",
            "c1-cert",
            content=PDF,
        ),
        C1 | CB1,  # given for cb1's certification: its staff may give it too
    ),
    "record-line-alarm": (
        lambda _: c.RecordLineAlarm(
            "c1", "line-1", 200, 160, "spe", 31.5, 20.1, ["x"], datetime(2025, 6, 1, tzinfo=UTC)
        ),
        C1,
    ),
    "clear-line-alarm": (
        lambda _: c.ClearLineAlarm("c1", "line-1", 210, datetime(2025, 6, 1, tzinfo=UTC)),
        C1,
    ),
    "review-contract": (
        lambda who: c.ReviewContract("c1-cert", who or "x"),
        {"cb1-application-reviewer"},
    ),
    "plan-audit": (
        lambda _: c.PlanAudit(
            "c1-cert",
            "s9",
            "surveillance",
            [{"auditor": "lead-a", "role": "lead"}],
            "FS01",
            TODAY,
            TODAY,
            1.5,
            ["hq"],
        ),
        {"cb1-planner"},
    ),
    "check-in": (lambda who: c.CheckIn("c1-cert", "s2", who or "x", 39.96, 116.3), {"cb1-auditor"}),
    "complete-audit": (
        lambda _: c.CompleteAudit("c1-cert", "s2", 4.0, TODAY),
        {"cb1-auditor"},
    ),
    "record-test": (
        lambda _: c.RecordTest("c1-cert", "t9", "type-test", "Lab", "R-9", "pass", TODAY),
        {"cb1-planner"},
    ),
    "raise-finding": (
        lambda who: c.RaiseFinding("c1-cert", "f9", "s2", "minor", "8.5", "e", who or "x"),
        {"cb1-auditor"},
    ),
    "answer-finding": (lambda _: c.AnswerFinding("c1-cert", "f1", "a", "b", "c"), C1),
    "close-finding": (
        lambda who: c.CloseFinding("c1-cert", "f1", who or "x", TODAY),
        {"cb1-auditor"},
    ),
    "technical-review": (
        lambda who: c.TechnicalReview("c1-cert", who or "x", "grant"),
        {"cb1-technical-reviewer"},
    ),
    "decide": (
        lambda who: c.Decide("c1-cert", who or "x", "grant", TODAY, "N-9", "s"),
        {"cb1-decision-maker"},
    ),
    **{
        name: (sample, {"cb1-decision-maker"})
        for name, sample in (
            ("suspend-certificate", lambda _: c.SuspendCertificate("c1-cert", "r", TODAY)),
            ("restore-certificate", lambda _: c.RestoreCertificate("c1-cert", TODAY)),
            ("withdraw-certificate", lambda _: c.WithdrawCertificate("c1-cert", "r", TODAY)),
            ("expire-certificate", lambda _: c.ExpireCertificate("c1-cert", TODAY)),
            ("change-scope", lambda _: c.ChangeScope("c1-cert", "reduce", "s", ["hq"], TODAY)),
            ("transfer-certificate", lambda _: c.TransferCertificate("c1-cert", "cb2", TODAY)),
            ("enforce-clocks", lambda _: c.EnforceClocks(["c1-cert"], TODAY)),
            (
                "approve-late-record",
                lambda _: c.ApproveLateRecord("c1-cert", "suspend", TODAY - timedelta(30), "r"),
            ),
            ("issue-credential", lambda _: IssueCredential("c1-cert")),
            ("publish-status", lambda _: PublishStatus(("c1-cert",))),
        )
    },
    "accept-transfer": (
        lambda who: c.AcceptTransfer("c1-at-cb2", "cb2", "c1-cert", "r2", who or "x", TODAY, "M-1"),
        {"cb2-decision-maker"},
    ),
    "open-case": (
        lambda _: c.OpenCase("case9", "complaint", "c1-cert", "h", "late report"),
        {"cb1-cb-admin"},
    ),
    "acknowledge-case": (lambda _: c.AcknowledgeCase("case1", "received"), {"cb1-cb-admin"}),
    "record-case-progress": (
        lambda _: c.RecordCaseProgress("case1", "report re-read"),
        {"cb1-cb-admin"},
    ),
    "resolve-case": (lambda _: c.ResolveCase("case1", "upheld", TODAY), {"cb1-cb-admin"}),
    "open-account": (
        lambda _: c.OpenAccount("staff9", "Staff", ["planner@body:cb1"], "x" * 12),
        {"cb1-cb-admin"},
    ),
    "set-roles": (
        lambda _: c.SetRoles("cb1-planner", ["planner@body:cb1", "auditor@body:cb1"]),
        {"cb1-cb-admin"},
    ),
    "change-password": (
        lambda _: c.ChangePassword("cb1-planner", "correct horse battery", "x" * 12),
        {"cb1-planner"},
    ),
    "issue-api-key": (lambda _: c.IssueApiKey("cb1-planner", "k"), {"cb1-planner"}),
    "revoke-api-key": (
        lambda _: c.RevokeApiKey("cb1-planner", "0" * 16),
        {"cb1-planner", "cb1-cb-admin", "platform"},
    ),
    "revoke-sessions": (
        lambda _: c.RevokeSessions("cb1-planner"),
        {"cb1-planner", "cb1-cb-admin", "platform"},
    ),
    "add-body-key": (
        lambda _: c.AddBodyKey("cb1", "k9", "z6Mk" + "1" * 44, datetime(2025, 1, 1, tzinfo=UTC)),
        {"cb1-cb-admin"},
    ),
    "revoke-body-key": (
        lambda _: c.RevokeBodyKey("cb1", "k1", datetime(2025, 1, 1, tzinfo=UTC), "rotated"),
        {"cb1-cb-admin"},
    ),
    "enrol-body": (
        lambda _: hub.EnrolBody("cb9", "机构", "Body", "110105", "x/log", "x+1+AA", "k1", "z6Mk"),
        {"platform", "reg-bj"},
    ),
    "register-reporting-key": (
        lambda _: hub.RegisterReportingKey("hubcb", "k2", "z6Mk" + "1" * 44),
        {"platform", "reg-bj"},
    ),
    "submit-report": (lambda _: _report(), {"hubcb-reporter"}),
    "flag-log": (lambda _: hub.FlagLog("hubcb", "x/log", 9, 3, "rollback"), set()),
    "commit-draw": (
        lambda _: hub.CommitDraw("d9", "抽查", "Checks", "110105", "0" * 64, {"items": []}),
        {"reg-bj"},
    ),
    "reveal-draw": (lambda _: hub.RevealDraw("d1", "s" * 64), {"reg-bj"}),
    "raise-warnings": (lambda _: hub.RaiseWarnings([WARNING]), set()),
    "record-scan": (lambda _: hub.RecordScan(TODAY, {}, [], {}, []), set()),
    "import-registry": (
        lambda _: hub.ImportRegistry("auditors", [{"registration_id": "R", "name": "N"}]),
        {"platform"},
    ),
    "change-warning": (lambda _: hub.ChangeWarning(WARNING_ID, "acknowledged", "ok"), {"reg-bj"}),
    "rank-warning": (lambda _: hub.RankWarning(WARNING_ID, 1, "first"), {"reg-bj"}),
    "refer-warning": (
        lambda _: hub.ReferWarning(WARNING_ID, "310000", TODAY + timedelta(days=9), "there"),
        {"reg-bj"},
    ),
    "record-inspection-result": (
        lambda _: hub.RecordInspectionResult("d1", "HUB-1", "compliant", TODAY),
        {"reg-bj"},
    ),
    "register-device": (
        lambda _: RegisterDevice("dev9", "c1", "sensor", [{"name": "t", "unit": "degC"}]),
        C1,
    ),
    "rotate-device-key": (lambda _: RotateDeviceKey("dev1", ""), {"c1-admin"}),
    "retire-device": (lambda _: RetireDevice("dev1", "replaced"), {"c1-admin"}),
    "anchor-windows": (lambda _: AnchorWindows(datetime(2025, 6, 1, tzinfo=UTC)), set()),
    # a line's monitor is its organisation's; its alarms the platform's watcher records
    "fit-monitor": (lambda _: monitors.FitMonitor("dev1", "pca", AT, AT + timedelta(1)), C1),
    "raise-stream-alarm": (
        lambda _: monitors.RaiseStreamAlarm(
            "dev1",
            9,
            AT,
            7,
            "spe",
            {"spe": 9.0},
            {"spe": 1.0},
            [],
            [],
            "0" * 64,
            AT,
            "0" * 64,
            1,
        ),
        set(),
    ),
    "clear-stream-alarm": (
        lambda _: monitors.ClearStreamAlarm("dev1", 10, AT, 9, AT, "0" * 64, 1),
        set(),
    ),
    # notices are the platform's to send and mail; each account reads only its own
    "send-notices": (lambda _: notices.SendNotices((NOTICE,)), set()),
    "record-notice-mailed": (
        lambda _: notices.RecordNoticeMailed(NOTICE_ID, "p@example.com"),
        set(),
    ),
    "mark-notice-read": (
        lambda who: notices.MarkNoticeRead(NOTICE_ID, who or "cb1-planner"),
        {"cb1-planner"},
    ),
    "set-notice-address": (
        lambda _: notices.SetNoticeAddress("cb1-planner", "p@example.com"),
        {"cb1-planner"},
    ),
}
READING_AT = datetime(2025, 6, 1, 2, tzinfo=UTC)


def _principal(name: str) -> Principal:
    if name == "anonymous":
        return ANONYMOUS
    return Principal(name, frozenset(tuple(r.split("@")) for r in PRINCIPALS[name]))


# .. the world ...............................................................


def _world(services: Any) -> None:
    run = lambda cmd: services.bus.handle(cmd, SYSTEM)  # noqa: E731
    for body in ("cb1", "cb2"):
        run(c.RegisterBody(body, f"A-{body}", "机构", "Body", "CNAS"))
        run(c.GrantBodyScope(body, "iso9001", [17], date(2020, 1, 1)))
        key_id, key = services.keys.create(body)
        since = datetime(2020, 1, 1, tzinfo=UTC)
        run(c.AddBodyKey(body, key_id, multibase_public_key(key.public_key()), since))
    services.ledger.sign_due()  # an earlier signed size, for consistency proofs
    run(c.RegisterAuditor("lead-a", "R-A", "组长", "cb1"))
    run(c.QualifyAuditor("lead-a", "iso9001", [17]))
    run(c.RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, SITES))
    run(c.GiveConsent("c1", "cb1"))
    run(notices.SendNotices((NOTICE,)))
    team = [{"auditor": "lead-a", "role": "lead"}]
    run(c.ApplyForCertification("c1-cert", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    run(c.ReviewContract("c1-cert", "r1"))
    run(c.PlanAudit("c1-cert", "s1", "stage1", team, "FS01", TODAY, TODAY, 1.0, ["hq"]))
    run(c.CompleteAudit("c1-cert", "s1", 1.0, TODAY))
    run(c.PlanAudit("c1-cert", "s2", "stage2", team, "FS01", TODAY, TODAY, 9.0, ["hq", "plant"]))
    run(c.RaiseFinding("c1-cert", "f1", "s2", "minor", "8.5", "记录缺失", "lead-a"))
    run(c.CompleteAudit("c1-cert", "s2", 9.0, TODAY))
    run(c.AnswerFinding("c1-cert", "f1", "记录已补", "无表单", "增加表单"))
    run(c.TechnicalReview("c1-cert", "r1", "grant"))
    run(c.Decide("c1-cert", "d1", "grant", TODAY, "N-C1", "零件"))  # issued as a credential
    run(c.OpenCase("case1", "complaint", "c1-cert", "h1", "late"))
    run(
        c.UploadDocument(
            "c1",
            hashlib.sha256(PDF).hexdigest(),
            "m.pdf",
            "application/pdf",
            len(PDF),
            "manual",
            "c1-user",
            "c1-cert",
            content=PDF,
        )
    )
    for name, roles in PRINCIPALS.items():
        run(c.OpenAccount(name, name, roles, "correct horse battery"))
    signer = load_signers(services.settings.keys_dir)[0]
    run(
        hub.EnrolBody(
            "hubcb",
            "机构",
            "Body",
            "110108",
            services.ledger.origin_of(SHA256),
            signer.verifier().vkey(),
            "k1",
            multibase_public_key(HUB_KEY.public_key()),
        )
    )
    services.bus.handle(_report(), _principal("hubcb-reporter"))
    campaign = {
        "items": [{"id": "i", "name_zh": "审核", "name_en": "audit", "qualification": "q"}],
        "targets": [
            {
                "id": "HUB-1",
                "kind": "certificate",
                "risk": "A",
                "region": "110108",
                "body_id": "hubcb",
            }
        ],
        "inspectors": [
            {"id": f"x{n}", "qualifications": ["q"], "region": "110000"} for n in range(2)
        ],
        "history": [],
        "parameters": {"sizes": {"A": 1}},
    }
    # c1's oven reports two readings; their window is anchored
    run(RegisterDevice("dev1", "c1", "sensor", [{"name": "t", "unit": "degC"}]))
    sent = (
        b'{"device":"dev1","units":{"t":"degC"},"readings":[{"seq":0,"time":"2025-06-01T02:00:00Z",'
        b'"values":{"t":1}},{"seq":1,"time":"2025-06-01T02:00:01Z","values":{"t":2}}]}'
    )
    bad = Message("qcert/v1/c1/dev1/line", b"{", READING_AT)
    services.intake.take([Message("qcert/v1/c1/dev1/line", sent, READING_AT), bad])
    services.intake.anchor_due(READING_AT + timedelta(hours=1))
    run(hub.RaiseWarnings([WARNING]))
    run(hub.CommitDraw("d1", "抽查", "Checks", "110000", commitment("s" * 64), campaign))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("access")
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    services = make_services(engine, root / "data", host="matrix.example", clock=ScenarioClock())
    hashed = security.hash_password("correct horse battery")
    real = security.hash_password
    security.hash_password = lambda pw: hashed if pw == "correct horse battery" else real(pw)
    try:
        _world(services)
    finally:
        security.hash_password = real
    services.ledger.sign_due()
    yield services
    engine.dispose()


# .. commands ................................................................


def test_every_command_of_the_bus_is_in_the_table():
    assert set(TABLE) == set(command_names())


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_command_is_allowed_to_exactly_its_row(matrix, name):
    sample, allowed = TABLE[name]
    decided = {}
    for who in sorted(EVERYONE):
        command = sample(None if who == "anonymous" else who)
        try:
            matrix.bus.authorized(command, _principal(who))
            decided[who] = True
        except (Forbidden, Unauthenticated):
            decided[who] = False
    assert {w for w, ok in decided.items() if ok} == set(allowed), name


def _events(services: Any) -> int:
    with services.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()


@pytest.fixture(scope="module")
def http(matrix) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    # Over HTTPS, so a page's Secure session cookie would be sent: pages take the cookie of a
    # web session, the API a bearer token; each principal gets both.
    headers = {
        who: {
            "Authorization": f"Bearer {matrix.identity.start(who, 'api').token}",
            "Cookie": f"qcert_session={matrix.identity.start(who, 'web').token}",
        }
        for who in PRINCIPALS
    }
    headers["anonymous"] = {}
    # Entered, the client keeps one event loop (and its worker threads) for the thousands of
    # requests below, as a served process does, instead of starting a thread and a loop for
    # each request.
    with TestClient(create_app(matrix, schedule=False), base_url="https://testserver") as client:
        yield client, headers


def _post(client: TestClient, name: str, command: Any, headers: dict[str, str]) -> Any:
    if name == "upload-document":
        return client.post(
            "/api/v1/documents",
            headers=headers,
            data={"client_id": "c1", "certification_id": "c1-cert", "purpose": "manual"},
            files={"file": ("m.pdf", PDF, "application/pdf")},
        )
    body = {k: v for k, v in _fields(command).items() if k != "content"}
    return client.post(f"/api/v1/commands/{name}", json=body, headers=headers)


def _fields(command: Any) -> dict[str, Any]:
    import dataclasses
    import json

    def plain(value: Any) -> Any:
        dump = getattr(value, "model_dump", None)
        return dump(mode="json", exclude_none=True) if dump else str(value)

    return json.loads(json.dumps(dataclasses.asdict(command), default=plain))


def test_the_refused_are_refused_through_the_api_and_nothing_is_recorded(matrix, http):
    client, headers = http
    before, wrong = _events(matrix), []
    for name, (sample, allowed) in sorted(TABLE.items()):
        for who in sorted(EVERYONE - allowed):
            answer = _post(client, name, sample(None if who == "anonymous" else who), headers[who])
            anonymous = who == "anonymous" and name not in OPEN_TO_ANONYMOUS
            expected = 401 if anonymous else 403
            if answer.status_code != expected:
                wrong.append(f"{name} as {who}: {answer.status_code} {answer.text[:120]}")
            elif expected == 403:
                assert answer.json()["error"]["rule"].startswith("access."), name
    assert not wrong, "\n".join(wrong)
    assert _events(matrix) == before


# .. reads ...................................................................


def _routes(app: Any) -> Iterator[Any]:
    def flat(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from flat(inner.routes) if inner is not None else [route]

    return flat(app.routes)


PUBLIC, SIGNED, NO_WITNESS = "public", "signed-in", "public, not a witness"
# Each GET route outside the workspace and portal pages: how it answers whom, for the records of
# cb1 and c1 its path is filled with (see _filled).
READS: dict[str, str | frozenset[str]] = {
    "/": PUBLIC,
    "/ledger/checkpoint": PUBLIC,
    "/ledger/keys": PUBLIC,
    "/ledger/proof/{index}": PUBLIC,
    "/ledger/consistency": PUBLIC,
    # an event of cb1's certification of c1: its body's staff, its organisation, the platform
    "/ledger/entries/{index}": CB1 | C1 | {"platform"},
    "/bodies/{body_id}/did.json": PUBLIC,
    # this installation is no witness: everyone alike gets 404 (tests/e2e/test_witness.py
    # tries them on one that is)
    "/witness": NO_WITNESS,
    "/witness/{origin_hash}/checkpoint": NO_WITNESS,
    "/bodies/{body_id}/status/{purpose}/{list_no}": PUBLIC,
    "/bodies/{body_id}/status/{purpose}/{list_no}/versions": PUBLIC,
    "/public/certificates": PUBLIC,
    "/public/certificates/{number}": PUBLIC,
    "/public/certificates/{number}/status": PUBLIC,
    "/public/certificates/{number}/pdf": PUBLIC,
    "/verify": PUBLIC,
    "/verify/export": PUBLIC,  # the public search's results as a workbook or CSV
    "/verify/style.css": PUBLIC,
    "/v/{number}": PUBLIC,
    "/transparency": PUBLIC,
    "/static/ws.css": PUBLIC,
    "/static/plotly.min.js": PUBLIC,
    "/static/charts.js": PUBLIC,
    "/static/streams.js": PUBLIC,
    "/static/checkin.js": PUBLIC,
    "/static/ws.js": PUBLIC,
    "/static/favicon.svg": PUBLIC,
    "/favicon.ico": PUBLIC,
    "/static/docs/{name}": PUBLIC,
    "/docs": PUBLIC,
    "/redoc": PUBLIC,
    "/openapi.json": PUBLIC,
    "/signin": PUBLIC,
    "/join": PUBLIC,
    "/lang/{code}": "redirect",
    "/workspace": SIGNED,
    "/account": SIGNED,
    "/api/v1/me": SIGNED,
    "/api/v1/certifications": SIGNED,
    "/api/v1/certificates": SIGNED,
    "/api/v1/audits": SIGNED,
    "/api/v1/findings": SIGNED,
    "/api/v1/clients": SIGNED,
    "/api/v1/bodies": SIGNED,
    "/api/v1/auditors": SIGNED,
    "/api/v1/cases": SIGNED,
    "/api/v1/programme": SIGNED,
    # one certification: found (200) by those who may read it, else 404 (not 403: out of
    # scope is not found), 401 without a sign-in
    "/api/v1/certifications/{certification_id}": CB1 | C1 | {"platform"},
    "/api/v1/exchange/certsearch": CB1 | {"platform"},
    "/api/v1/exchange/national": CB1 | {"platform"},
    # the hub: its standard is public; regulators read, a certificate's trail only within the
    # jurisdiction of its organisation (Beijing here)
    "/hub/v1/schema": PUBLIC,
    "/hub/v1/warnings": frozenset({"platform", "reg-bj", "reg-sh"}),
    "/hub/v1/portraits/{kind}/{key}": frozenset({"platform", "reg-bj"}),
    "/hub/v1/warnings/{warning_id}": frozenset({"platform", "reg-bj"}),
    "/hub": frozenset({"platform", "reg-bj", "reg-sh"}),
    # the cockpit's lists as files: every regulator gets its own jurisdiction's rows
    "/hub/export/{listing_name}": frozenset({"platform", "reg-bj", "reg-sh"}),
    "/hub/warnings/{warning_id}": frozenset({"platform", "reg-bj"}),
    "/hub/bodies/{body_id}": frozenset({"platform", "reg-bj"}),
    "/inspections": PUBLIC,
    "/inspections/{draw_id}": PUBLIC,
    "/public/inspections": PUBLIC,
    "/public/inspections/{draw_id}": PUBLIC,
    "/public/inspections/{draw_id}/inputs": PUBLIC,
    "/hub/v1/bodies": frozenset({"platform", "reg-bj", "reg-sh"}),
    "/hub/v1/records": frozenset({"platform", "reg-bj", "reg-sh"}),
    "/hub/v1/certificates/{number}": frozenset({"platform", "reg-bj"}),
    # real-time evidence: the payload's schema is public; c1's readings and proofs are read by
    # its users and by the staff of cb1 (which certifies it); dead letters by its users
    "/evidence/v1/schema": PUBLIC,
    "/evidence/v1/devices/{device}/readings": CB1 | C1 | {"platform"},
    "/evidence/v1/devices/{device}/readings/{seq}/proof": CB1 | C1 | {"platform"},
    "/evidence/v1/devices/{device}/monitor": CB1 | C1 | {"platform"},
    "/evidence/v1/dead-letters": C1 | {"platform"},
}


def _filled(path: str, matrix: Any) -> str:
    sizes = sorted({c.size for c in matrix.ledger.storage.checkpoints()})
    with matrix.engine.connect() as conn:
        event = conn.execute(
            sa.select(sa.func.min(t.events.c.ledger_index)).where(
                t.events.c.aggregate == "certification:c1-cert"
            )
        ).scalar_one()
    values = {
        "index": str(event),
        "body_id": "hubcb" if path.startswith("/hub") else "cb1",
        "purpose": "revocation",
        "list_no": "1",
        "number": "HUB-1" if path.startswith("/hub/") else "N-C1",
        "name": "swagger-ui.css",
        "code": "en",
        "certification_id": "c1-cert",
        "origin_hash": "0" * 64,
        "draw_id": "d1",
        "warning_id": WARNING_ID,
        "listing_name": "warnings",
        "kind": "organisation",
        "key": "91110108551385082Q",
        "device": "dev1",
        "seq": "1",
    }
    filled = re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)
    query = {
        "/ledger/consistency": f"?old={sizes[0]}&new={sizes[-1]}",
        "/public/certificates": "?q=Co",
        "/verify/export": "?q=Co&format=csv",
        "/api/v1/exchange/certsearch": "?body=cb1",
        "/api/v1/exchange/national": "?body=cb1",
    }
    return filled + query.get(path, "")


def test_every_read_route_answers_as_its_row_says(matrix, http):
    client, headers = http
    matrix.ledger.sign_due()
    routes = {
        r.path
        for r in _routes(client.app)
        if "GET" in (getattr(r, "methods", None) or ())
        and not r.path.startswith(("/ws/", "/portal/"))
    }
    assert routes == set(READS), "a GET route without a row (or a row without a route)"
    wrong = []
    for path, rule in sorted(READS.items()):
        url = _filled(path, matrix)
        for who in sorted(EVERYONE):
            got = client.get(url, headers=headers[who], follow_redirects=False).status_code
            want = _expected(path, rule, who)
            if got not in want:
                wrong.append(f"{url} as {who}: {got}, expected {sorted(want)}")
    assert not wrong, "\n".join(wrong)


def _expected(path: str, rule: str | frozenset[str], who: str) -> set[int]:
    if rule == PUBLIC:
        return {200}
    if rule == NO_WITNESS:
        return {404}
    if rule == "redirect":
        return {303}
    page = not path.startswith(("/api/", "/ledger/", "/hub/v1/", "/evidence/v1/"))
    if who == "anonymous":
        if path == "/ledger/entries/{index}":
            return {403}  # a public route; the entry is not public, its proof is
        return {303} if page else {401}
    if rule == SIGNED or who in rule:
        return {200}
    if path == "/api/v1/certifications/{certification_id}":
        return {404}
    return {403}
