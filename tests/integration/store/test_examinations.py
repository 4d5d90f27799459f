"""The examination gathered from the store: an unknown organisation is refused naming the
field, one without streams says so, and with readings taken through the intake the findings
come from them (a planted drift is named), compared with the sector's peers; each viewer sees
only the history its read scope holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qcert.access import Principal
from qcert.examinations import OrganisationNotFound, examine
from qcert.quality.demo_line import FAULT_VARIABLE, line_readings
from qcert.reports.examination import summary
from tests.integration.lifecycle.conftest import bus, certify, register_client, world  # noqa: F401
from tests.services import make_services, system_bus
from tests.stream_world import register_line, send

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
SPAN = (START - timedelta(hours=1), START + timedelta(hours=1))
PLATFORM = Principal("root", frozenset({("platform-admin", "platform")}))


def _user(client: str) -> Principal:
    return Principal(f"user-{client}", frozenset({("client-user", f"client:{client}")}))


def _staff(body: str) -> Principal:
    return Principal(f"staff-{body}", frozenset({("auditor", f"body:{body}")}))


@pytest.fixture
def services(world, engine, tmp_path):  # noqa: F811
    certify(world, "cert1", number="00123Q0001")
    svc = make_services(engine, tmp_path / "svc")
    yield svc
    svc.close()


def test_an_unknown_organisation_is_refused_naming_the_field(services):
    with pytest.raises(OrganisationNotFound) as refused:
        examine(services.engine, PLATFORM, "nobody", *SPAN)
    assert refused.value.status == 404
    assert str(refused.value).startswith("organisation:")
    assert refused.value.zh.startswith("组织：")


def test_an_organisation_out_of_the_viewers_scope_looks_unknown(services, world):  # noqa: F811
    register_client(world, "c2", "peer")
    for stranger in (_user("c2"), _staff("cb2")):
        with pytest.raises(OrganisationNotFound):
            examine(services.engine, stranger, "c1", *SPAN)


def test_an_organisation_without_streams_says_so_and_shows_its_history(services):
    data = summary(examine(services.engine, _user("c1"), "c1", *SPAN))
    assert data["readings"] == 0 and data["streams"] == []
    assert [n["code"] for n in data["notes"]] == ["no_streams"]
    assert "没有数据流读数" in data["notes"][0]["zh"]
    assert data["history"]["certifications"] == 1 and data["history"]["sectors"] == [17]
    assert [c["number"] for c in data["history"]["certificates"]] == ["00123Q0001"]
    assert data["history"]["audits"] == 2
    assert data["risk"] is None and data["peers"] == 0


def test_the_findings_come_from_the_readings_taken_through_the_intake(services, world):  # noqa: F811
    run = system_bus(services)
    register_line(run, "c1", "c1-line")
    drifted = line_readings(11, n=500, fault_at=300).frame  # coolant drifts from reading 300
    verdicts = send(services.intake, "c1", "c1-line", drifted, START)
    assert {v.status for v in verdicts} == {"stored"}
    # A peer of the same IAF sector (17) with a stream of its own.
    register_client(world, "c2", "peer")
    certify(world, "cert2", number="00123Q0002", client="c2")
    register_line(run, "c2", "c2-line")
    send(services.intake, "c2", "c2-line", line_readings(12, fault_at=None).frame, START)
    # Anchored up to 08:08: the windows of 08:00 to 08:07 (480 readings), not the open one.
    services.intake.anchor_due(START + timedelta(minutes=8, seconds=10))
    data = summary(examine(services.engine, _user("c1"), "c1", *SPAN))
    [stream] = data["streams"]
    assert stream["device"] == "c1-line" and stream["readings"] == 500
    assert stream["anchored"] == 480
    assert stream["alarm"]["top"][0] == FAULT_VARIABLE
    assert stream["alarm"]["index"] >= 300
    at = datetime.fromisoformat(stream["alarm"]["time"])
    assert at == START + timedelta(seconds=stream["alarm"]["index"])
    assert any(FAULT_VARIABLE in r["en"] for r in stream["recommendations"])
    assert data["peers"] == 1
    assert all(c["peer_percentile"] is not None for c in stream["characteristics"])
    assert data["notes"] == []
    # Outside the period there is nothing to examine, and the report says so.
    later = (START + timedelta(days=1), START + timedelta(days=2))
    quiet = summary(examine(services.engine, _user("c1"), "c1", *later))
    assert quiet["readings"] == 0 and quiet["streams"][0]["skipped"]["code"] == "few_readings"
    assert [n["code"] for n in quiet["notes"]] == ["no_streams"]


def test_a_bodys_staff_see_the_history_their_body_holds(services, world):  # noqa: F811
    data = summary(examine(services.engine, _staff("cb1"), "c1", *SPAN))
    assert data["history"]["certifications"] == 1
