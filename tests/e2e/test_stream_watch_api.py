"""Watching a stream over HTTP: the organisation's user fits its line's monitor through the
command endpoint, the gateway's readings come in over HTTP and the alarm of the planted fault
lands on the ledger, read back by the organisation and its certifying body; a body's staff
are refused the fit, another body the read, and a bad parameter is a 4xx naming it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from qcert.demo_evidence import variables
from qcert.evidence.commands import RegisterDevice
from qcert.lifecycle import GiveConsent, IssueApiKey
from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, UNITS, line_readings
from qcert.store import tables as t
from tests.services import SYSTEM

AT = datetime(2025, 6, 1, 2, tzinfo=UTC)
NORMAL, FAULT, N = 240, 300, 420


def _items(frame, lo: int, hi: int) -> list[dict]:
    return [
        {
            "device": "line",
            "units": UNITS,
            "readings": [
                {
                    "seq": i,
                    "time": (AT + timedelta(seconds=i)).isoformat(),
                    "values": {k: float(v) for k, v in frame.iloc[i].items()},
                }
                for i in range(start, min(start + 100, hi))
            ],
        }
        for start in range(lo, hi, 100)
    ]


@pytest.fixture
def world(api, services, clock):
    client, as_ = api
    services.bus.handle(RegisterDevice("line", "c1", "line", variables(), "Line"), SYSTEM)
    services.bus.handle(GiveConsent("c1", "cb1"), SYSTEM)  # cb1 reads c1's records
    from qcert.access import Principal

    gateway = Principal("client", frozenset({("client-user", "client:c1")}))
    key = services.bus.handle(IssueApiKey("client", "gateway"), gateway).reply["api_key"]
    frame = line_readings(8, n=N, fault_at=FAULT, drift=0.15).frame
    clock.set(AT + timedelta(seconds=NORMAL + 20))
    sent = client.post(
        "/evidence/v1/readings", json=_items(frame, 0, NORMAL), headers={"X-API-Key": key}
    )
    assert sent.status_code == 200, sent.text
    # the normal start's last window: anchored once the line has been silent for the idle
    # allowance (300 s) after it
    services.intake.anchor_due(AT + timedelta(seconds=NORMAL + 300))
    return client, as_, {"X-API-Key": key}, frame


def _fit(**changes):
    body = {
        "device_id": "line",
        "kind": "pca",
        "start": AT.isoformat(),
        "end": (AT + timedelta(seconds=NORMAL)).isoformat(),
        "params": "select",
        "graph": "machining",
        "variables": list(PROCESS),
    }
    return {**body, **changes}


def _events(services, kind):
    e = t.events.c
    with services.engine.connect() as conn:
        rows = conn.execute(sa.select(e.document).where(e.type == kind)).scalars().all()
    return [json.loads(r)["data"] for r in rows]


def test_the_organisations_user_fits_a_monitor_and_the_planted_fault_is_alarmed(
    world, services, clock
):
    client, as_, key, frame = world
    fitted = client.post("/api/v1/commands/fit-monitor", json=_fit(), headers=as_("client"))
    assert fitted.status_code == 200, fitted.text
    [monitor] = _events(services, "evidence.monitor-fitted")
    assert monitor["digest"] == fitted.json()["reply"]["digest"]
    clock.set(AT + timedelta(seconds=N + 20))
    sent = client.post("/evidence/v1/readings", json=_items(frame, NORMAL, N), headers=key)
    assert all(v["status"] == "stored" for v in sent.json()["verdicts"])
    services.intake.anchor_due(AT + timedelta(seconds=N + 20))
    raised = [a for a in _events(services, "evidence.alarm-raised") if a["seq"] >= FAULT]
    assert raised and raised[0]["top_variables"][0]["variable"] == FAULT_VARIABLE
    # the organisation and the body certifying it read the monitor and its alarms
    for who in ("client", "lead"):
        read = client.get("/evidence/v1/devices/line/monitor", headers=as_(who))
        assert read.status_code == 200, read.text
        body = read.json()
        assert body["monitor"]["digest"] == monitor["digest"]
        assert {a["seq"] for a in body["alarms"]} >= {a["seq"] for a in raised}
        assert all(a["top_variables"] for a in body["alarms"])
    other = client.get("/evidence/v1/devices/line/monitor", headers=as_("dec2"))
    assert other.status_code == 403
    assert client.get("/evidence/v1/devices/line/monitor").status_code == 401


@pytest.mark.parametrize("who", ["dec", "lead", "admin1", "root"])
def test_a_bodys_staff_and_the_platforms_administrator_do_not_fit_it(world, who):
    client, as_, _, _ = world
    answer = client.post("/api/v1/commands/fit-monitor", json=_fit(), headers=as_(who))
    assert answer.status_code == 403 and answer.json()["error"]["rule"] == "access.role"


def test_nobody_signed_out_fits_it(world):
    client, _, _, _ = world
    assert client.post("/api/v1/commands/fit-monitor", json=_fit()).status_code == 401


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"params": {"n_components": 0}}, "params.n_components"),
        ({"params": {"lags": 2}}, "params.lags"),
        ({"kind": "svm"}, "kind"),
        ({"graph": "nowhere"}, "graph"),
        ({"variables": ["nothing"]}, "variables"),
        ({"end": (AT + timedelta(hours=1)).isoformat()}, "end"),
        ({"device_id": "ghost"}, ""),
    ],
)
def test_a_bad_fit_is_refused_naming_what_is_wrong_and_records_nothing(
    world, services, changes, named
):
    client, as_, _, _ = world
    answer = client.post(
        "/api/v1/commands/fit-monitor", json=_fit(**changes), headers=as_("client")
    )
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert named in error["message"] and error["message_zh"]
    assert _events(services, "evidence.monitor-fitted") == []
