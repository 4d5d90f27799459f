"""The hub takes in signed submissions record by record: idempotent, revisions kept, each
refusal with its field and rule, every accepted submission an event of the hub's log, and the
projections equal to a replay."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from qcert.access import Forbidden, Principal, Unauthenticated
from qcert.access.principals import ANONYMOUS
from qcert.credentials.dataintegrity import multibase_public_key
from qcert.exchange.submission import Envelope, envelope, sign
from qcert.keys import load_signers
from qcert.ledger.hashing import SHA256
from qcert.lifecycle import OpenAccount
from qcert.schemes import RuleViolation
from qcert.server import create_app
from qcert.store import hub as hub_views
from qcert.store.replay import check_projections
from qcert.supervision.commands import EnrolBody, RaiseWarnings, ReferWarning, SubmitReport
from qcert.supervision.warnings import warning_id
from tests.services import SYSTEM, make_services

KEY = Ed25519PrivateKey.generate()
USCC = "91110108551385082Q"
BEIJING = Principal("reg-bj", frozenset({("regulator", "region:110000")}))
SHANGHAI = Principal("reg-sh", frozenset({("regulator", "region:310000")}))


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    yield services
    services.close()


def _enrol(hub, who=SYSTEM, region="110108"):
    signer = load_signers(hub.settings.keys_dir)[0]
    origin = hub.ledger.origin_of(SHA256)
    return hub.bus.handle(
        EnrolBody(
            "cb1",
            "示例认证中心",
            "Example Certification",
            region,
            origin,
            signer.verifier().vkey(),
            "k1",
            multibase_public_key(KEY.public_key()),
        ),
        who,
    )


def _application(rid="a1", cid="cert1", uscc=USCC, region="110108"):
    return {
        "kind": "application",
        "id": rid,
        "occurred_at": "2026-05-01T09:00:00+08:00",
        "certification_id": cid,
        "organisation": {"uscc": uscc, "name": "示例公司", "region": region, "size": "small"},
        "scheme_id": "iso9001",
        "sectors": [17],
        "received_on": "2026-05-01",
    }


def _plan(rid="p1", start="2026-05-10", end="2026-05-11"):
    return {
        "kind": "audit-plan",
        "id": rid,
        "occurred_at": "2026-05-02T09:00:00Z",
        "certification_id": "cert1",
        "audit_id": "s1",
        "audit_kind": "stage1",
        "method": "FS01",
        "start_on": start,
        "end_on": end,
        "planned_days": 1.5,
        "team": [{"registration_no": "2020-N1QMS-0001", "role": "leader"}],
    }


def _submit(hub, records, who=ANONYMOUS, key=KEY, key_id="k1"):
    signed = sign(envelope("cb1", "2026-06-01T08:00:00Z", records), key, key_id)
    return hub.bus.handle(SubmitReport(Envelope.model_validate(signed)), who)


def test_a_signed_submission_goes_in_and_resending_it_changes_nothing(hub):
    _enrol(hub)
    first = _submit(hub, [_application(), _plan()])
    assert first.reply["accepted"] == 2 and first.reply["rejected"] == []
    assert len(first.indices) == 1  # one event of the hub's log per submission
    again = _submit(hub, [_application(), _plan()])
    assert again.indices == [] and again.reply["unchanged"] == 2
    with hub.engine.connect() as conn:
        rows = hub_views.record_rows(conn, ["110000"])
    assert {r["record_id"] for r in rows} == {"a1", "p1"}
    assert all(r["region"] == "110108" for r in rows)  # the plan is placed by its application
    assert check_projections(hub.engine) == []


def test_a_record_sent_again_with_other_content_is_its_next_revision(hub):
    _enrol(hub)
    _submit(hub, [_plan()])
    changed = _submit(hub, [_plan(end="2026-05-12")])
    assert changed.reply["accepted"] == 1 and changed.reply["revisions"] == 1
    with hub.engine.connect() as conn:
        known = hub_views.known(conn, "cb1", ["p1"], [], [])
    assert known.records["p1"][1] == 2


def test_each_bad_record_is_refused_with_its_field_and_rule_and_the_rest_go_in(hub):
    _enrol(hub)
    future = {**_plan("p2"), "occurred_at": "2027-01-01T00:00:00Z"}
    answer = _submit(
        hub,
        [
            _application("a1", uscc="91110108551385082X"),
            _plan("p1", start="2026-05-12", end="2026-05-10"),
            future,
            _application("a2", cid="cert2"),
        ],
    ).reply
    assert answer["accepted"] == 1
    refused = {r["id"]: r for r in answer["rejected"]}
    assert refused["a1"]["rule"] == "exchange.schema"
    assert refused["a1"]["field"] == "organisation.uscc"
    assert "校验码" in refused["a1"]["message"]["zh-CN"]
    assert refused["p1"]["rule"] == "exchange.dates" and refused["p1"]["field"] == "end_on"
    assert refused["p2"]["rule"] == "exchange.future"
    again = _submit(hub, [{**_plan("a2")}]).reply  # a2 was an application
    assert again["rejected"][0]["rule"] == "exchange.kind"


def test_a_submission_signed_with_another_key_is_refused(hub):
    _enrol(hub)
    with pytest.raises(Forbidden) as refused:
        _submit(hub, [_application()], key=Ed25519PrivateKey.generate())
    assert "signature" in str(refused.value)
    with pytest.raises(Forbidden):
        _submit(hub, [_application()], key_id="k9")


def test_a_body_not_enrolled_cannot_report(hub):
    with pytest.raises(Forbidden) as refused:
        _submit(hub, [_application()])
    assert "not enrolled" in str(refused.value)


def test_a_regulator_enrols_only_bodies_within_its_jurisdiction(hub):
    with pytest.raises(Forbidden):
        _enrol(hub, SHANGHAI)
    with pytest.raises(Unauthenticated):
        _enrol(hub, ANONYMOUS)
    assert _enrol(hub, BEIJING).indices


def test_an_enrolment_with_a_key_not_of_the_log_is_refused(hub):
    with pytest.raises(RuleViolation) as refused:
        hub.bus.handle(
            EnrolBody(
                "cb1",
                "示例",
                "Example",
                "110108",
                "other.example/log",
                load_signers(hub.settings.keys_dir)[0].verifier().vkey(),
                "k1",
                multibase_public_key(KEY.public_key()),
            ),
            SYSTEM,
        )
    assert refused.value.rule == "hub.enrolment" and "vkey" in refused.value.en


def test_regulators_read_only_their_own_jurisdiction(hub):
    _enrol(hub)
    _submit(hub, [_application(), _application("a2", "cert2", region="310104")])
    with hub.engine.connect() as conn:
        beijing = hub_views.record_rows(conn, ["110000"])
        shanghai = hub_views.record_rows(conn, ["310000"])
        nation = hub_views.record_rows(conn, ["100000"])
    assert [r["record_id"] for r in beijing] == ["a1"]
    assert [r["record_id"] for r in shanghai] == ["a2"]
    assert {r["record_id"] for r in nation} == {"a1", "a2"}


def test_a_portrait_gathers_what_every_source_says_of_an_entity(hub):
    _enrol(hub)
    _submit(hub, [_application(), _plan()])
    with hub.engine.connect() as conn:
        organisation = hub_views.portrait(conn, "organisation", USCC)
        auditor = hub_views.portrait(conn, "auditor", "2020-N1QMS-0001")
        stranger = hub_views.portrait(conn, "auditor", "2020-N1QMS-0002")
    assert [r["record_id"] for r in organisation["records"]] == ["a1"]
    assert organisation["regions"] == ["110108"]
    assert [r["record_id"] for r in auditor["records"]] == ["p1"]
    assert stranger["records"] == []


def test_another_region_reads_a_certificate_s_trail_once_a_warning_on_it_is_referred(hub):
    _enrol(hub)
    certificate = {
        "kind": "certificate",
        "id": "k1",
        "occurred_at": "2026-05-20T09:00:00+08:00",
        "certification_id": "cert1",
        "certificate_no": "BJ-1",
        "uscc": USCC,
        "scheme_id": "iso9001",
        "issued_on": "2026-05-20",
        "expires_on": "2029-05-19",
    }
    _submit(hub, [_application(), certificate])
    for name, region in (("reg-bj", "110000"), ("reg-sh", "310000")):
        roles = [f"regulator@region:{region}"]
        hub.bus.handle(OpenAccount(name, name, roles, "correct horse battery"), SYSTEM)
    with TestClient(create_app(hub, schedule=False)) as client:

        def trail(who: str) -> int:
            form = {"username": who, "password": "correct horse battery"}
            token = client.post("/api/v1/auth/token", json=form).json()["access_token"]
            answer = client.get(
                "/hub/v1/certificates/BJ-1", headers={"Authorization": f"Bearer {token}"}
            )
            return answer.status_code

        assert trail("reg-bj") == 200
        assert trail("reg-sh") == 403
        hit = {
            "indicator": "mill-fast",
            "entity_kind": "certificate",
            "entity_id": "BJ-1",
            "body_id": "cb1",
            "org_id": USCC,
            "region": "110108",
            "value": 5.0,
            "threshold": 72.0,
            "evidence": ["k1"],
            "day": "2026-05-20",
        }
        hub.bus.handle(RaiseWarnings([hit]), SYSTEM)
        wid = warning_id("mill-fast", "certificate", "BJ-1")
        hub.bus.handle(ReferWarning(wid, "310000", date(2026, 7, 1), "在上海经营"), BEIJING)
        assert trail("reg-sh") == 200


def test_only_the_body_s_reporter_uploads_its_records_as_a_table(hub):
    _enrol(hub)
    for name, roles in (
        ("rep-cb1", ["reporter@body:cb1"]),
        ("rep-cb2", ["reporter@body:cb2"]),
        ("reg-bj", ["regulator@region:110000"]),
    ):
        hub.bus.handle(OpenAccount(name, name, roles, "correct horse battery"), SYSTEM)
    plan = _plan()
    head = [k for k in plan if k != "team"] + ["team"]
    row = [str(plan[k]) for k in head[:-1]] + [
        '"' + json.dumps(plan["team"]).replace('"', '""') + '"'
    ]
    table = (",".join(head) + "\n" + ",".join(row) + "\n").encode()
    with TestClient(create_app(hub, schedule=False)) as client:

        def upload(who: str | None) -> Any:
            headers = {}
            if who:
                form = {"username": who, "password": "correct horse battery"}
                token = client.post("/api/v1/auth/token", json=form).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
            return client.post(
                "/hub/v1/uploads",
                data={"body_id": "cb1"},
                files={"file": ("plans.csv", table, "text/csv")},
                headers=headers,
            )

        assert upload(None).status_code == 401
        for stranger in ("rep-cb2", "reg-bj"):
            refused = upload(stranger)
            assert refused.status_code == 403 and refused.json()["error"]["rule"] == "access.role"
        done = upload("rep-cb1")
        assert done.status_code == 200, done.text
        assert done.json()["accepted"] == 1 and done.json()["rejected"] == []
