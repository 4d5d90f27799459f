"""The live streams' read views on SQLite and PostgreSQL: the newest readings in time order and
bounded, each source's newest anchored window, refused messages counted per organisation, and
which body reads which organisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from qcert.evidence.intake import Message, topic_for
from qcert.quality.demo_line import line_readings
from qcert.store import streams as views
from tests.integration.lifecycle.conftest import bus, certify, register_client, world  # noqa: F401
from tests.services import make_services, system_bus
from tests.stream_world import register_line, send

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def services(world, engine, tmp_path):  # noqa: F811
    certify(world, "cert1", number="00123Q0001")  # cb1 certifies c1
    register_client(world, "c2", "other")
    svc = make_services(engine, tmp_path / "svc")
    run = system_bus(svc)
    register_line(run, "c1", "c1-line")
    register_line(run, "c2", "c2-line")
    send(svc.intake, "c1", "c1-line", line_readings(1, n=150, fault_at=None).frame, START)
    bad = {"device": "c1-line", "units": {"vibration": "g"}, "seq": 999}
    bad |= {"time": START.isoformat(), "values": {"vibration": 1.0}}
    svc.intake.take([Message(topic_for("c1", "c1-line"), json.dumps(bad).encode(), START)])
    svc.intake.anchor_due(START + timedelta(minutes=10))
    yield svc
    svc.close()


def _us(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


def test_the_newest_readings_come_in_time_order_and_bounded(services):
    with services.engine.connect() as conn:
        rows = views.latest(conn, "c1-line", 10)
        assert [r["seq"] for r in rows] == list(range(140, 150))
        assert rows[-1]["time_us"] == _us(START + timedelta(seconds=149))
        span = views.latest(conn, "c1-line", 1000, _us(START), _us(START + timedelta(seconds=30)))
        assert [r["seq"] for r in span] == list(range(30))
        assert set(span[0]["values"]) >= {"bore_diameter", "coolant_temp"}
        assert views.latest(conn, "c2-line", 10) == []


def test_each_sources_newest_window_refusals_and_readers(services):
    with services.engine.connect() as conn:
        windows = views.latest_windows(conn, ["c1-line", "c2-line"])
        assert set(windows) == {"c1-line"}
        newest = windows["c1-line"]
        # 150 readings a second apart from 08:00: windows of 60 s, the newest 08:02 with 30.
        assert (newest["first_seq"], newest["last_seq"], newest["count"]) == (120, 149, 30)
        assert newest["start_us"] == _us(START + timedelta(minutes=2))
        assert views.dead_letter_count(conn, "c1") == 1
        assert views.dead_letter_count(conn, "c2") == 0
        assert views.client_readable_by_body(conn, "cb1", "c1")
        assert not views.client_readable_by_body(conn, "cb2", "c1")
        assert not views.client_readable_by_body(conn, "cb1", "c2")
        assert views.owner(conn, "c2-line") == "c2" and views.owner(conn, "nope") is None
        assert [d["id"] for d in views.devices(conn, ["c1", "c2"], limit=1)] == ["c1-line"]
