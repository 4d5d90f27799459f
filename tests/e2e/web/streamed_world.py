"""The staffed world with streams: each organisation's machining line sent its readings
through the intake, the windows are anchored and a checkpoint is signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from qcert.evidence.intake import Message, topic_for
from qcert.quality.demo_line import line_readings
from tests.e2e.web.staffed_world import Staffed
from tests.stream_world import register_line, send

__all__ = ["START", "stream_world"]

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def stream_world(world: Staffed) -> None:
    """cb1 certifies c1 and cb2 certifies c2; each has a machining line that streamed its
    readings through the intake (c1's coolant drifts from reading 300 of 500), one message to
    c1's line was refused, and every window is anchored under a signed checkpoint."""
    today = START.date()
    world.certify("c1-active", "cb1", "c1", "N-C1-0001", today)
    world.certify("c2-active", "cb2", "c2", "N-C2-0002", today)
    intake = world.services.intake
    for client, frame in (
        ("c1", line_readings(11, n=500, fault_at=300).frame),
        ("c2", line_readings(12, n=200, fault_at=None).frame),
    ):
        register_line(world.run, client, f"{client}-line")
        assert {v.status for v in send(intake, client, f"{client}-line", frame, START)} == {
            "stored"
        }
    wrong_unit = {"device": "c1-line", "units": {"vibration": "g"}}
    wrong_unit |= {"seq": 9999, "time": START.isoformat(), "values": {"vibration": 1.0}}
    late = Message(topic_for("c1", "c1-line"), json.dumps(wrong_unit).encode(), START)
    assert intake.take([late])[0].status == "refused"
    intake.anchor_due(datetime.now(UTC))
    world.ledger.sign_due()
