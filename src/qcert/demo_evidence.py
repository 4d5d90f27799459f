"""The demo's real-time evidence: machining lines of a few organisations, their readings taken in
through the intake as MQTT or HTTP would bring them, anchored window by window, each line
watched by a monitor fitted on its normal start, and on one line a planted coolant fault that
the watcher raises an alarm for (国市监认证发〔2025〕72号 (三), (四)).

Readings are the synthetic line of :mod:`qcert.quality.demo_line`, one a second, ending a few
minutes before the demo's clock; the first :data:`NORMAL` readings (eight windows of 60 s) are
anchored before the monitor is fitted on them, as a real line's normal period would be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .access import Principal
from .evidence.commands import RegisterDevice
from .evidence.intake import Message, topic_for
from .evidence.monitor_commands import FitMonitor
from .quality.demo_line import PROCESS, SPECS, UNITS, line_readings
from .store.watch import first_alarm_after

__all__ = ["FAULTY", "LINES", "EvidenceSummary", "build_evidence"]

# (organisation, device, seed of its readings, whether its coolant drifts). The healthy
# lines' seeds are ones whose 7 minutes after the normal start raise no false alarm: at
# α = 0.99 and 3 readings' persistence about one line in three raises one in that time
# (the latent load and heat wander slowly, so exceedances come in runs).
LINES = (
    ("demo-client-05", "demo-client-05.line-1", 5, True),
    ("demo-client-10", "demo-client-10.line-1", 10, False),
    ("demo-client-03", "demo-client-03.line-1", 13, False),
)
FAULTY = LINES[0][1]
READINGS = 900  # one a second: 15 minutes of a line
NORMAL = 480  # the normal start the monitor is fitted on: 8 windows of 60 s
FAULT_AT = 600  # the faulty line's coolant drifts from this reading on
DRIFT = 0.1  # σ of the coolant temperature per reading (bench/stream_watch.py)
PER_MESSAGE = 100  # readings one message carries
LABEL = "加工线 1 / Machining line 1"


def variables() -> list[dict[str, Any]]:
    """The line's variables as registered: name, unit, and specification limits where set."""
    out = []
    for name, unit in UNITS.items():
        lower, upper, _ = SPECS.get(name, (None, None, None))
        limits = {k: v for k, v in (("lower", lower), ("upper", upper)) if v is not None}
        out.append({"name": name, "unit": unit, **limits})
    return out


@dataclass(frozen=True)
class EvidenceSummary:
    """What the demo's lines hold: devices, readings stored, windows anchored, and the first
    alarm raised on the faulty line after its fault (reading, and its top variables)."""

    devices: list[str]
    readings: int
    windows: int
    alarm_seq: int | None = None
    alarm_top: list[str] = field(default_factory=list)

    @property
    def delay(self) -> int | None:
        """Readings (seconds) from the planted fault to its alarm."""
        return None if self.alarm_seq is None else self.alarm_seq - FAULT_AT


def _messages(
    organisation: str,
    device: str,
    frame: Any,
    lo: int,
    hi: int,
    start: datetime,
    received: datetime,
) -> list[Message]:
    """Readings ``lo`` to ``hi`` - 1 of a line as the messages its gateway would publish."""
    out = []
    for first in range(lo, hi, PER_MESSAGE):
        readings = [
            {
                "seq": i,
                "time": (start + timedelta(seconds=i)).isoformat(),
                "values": {k: round(float(v), 6) for k, v in frame.iloc[i].items()},
            }
            for i in range(first, min(first + PER_MESSAGE, hi))
        ]
        body = {"device": device, "units": UNITS, "readings": readings}
        out.append(Message(topic_for(organisation, device), json.dumps(body).encode(), received))
    return out


def build_evidence(services: Any, now: datetime) -> EvidenceSummary:
    """Register the demo's lines, take their readings in through the intake, anchor them, fit
    each line's monitor on its normal start, and let the watcher raise the planted alarm."""
    demo = Principal.system("demo")
    # The lines' readings end six minutes before now, on a whole minute, so every window is
    # due for anchoring: the lines have moved past all but their last, and that one's end
    # plus the idle allowance (5 minutes) has passed.
    end = now.replace(second=0, microsecond=0) - timedelta(minutes=6)
    start = end - timedelta(seconds=READINGS)
    frames = {}
    for organisation, device, seed, faulty in LINES:
        services.bus.handle(RegisterDevice(device, organisation, "line", variables(), LABEL), demo)
        line = line_readings(seed, n=READINGS, fault_at=FAULT_AT if faulty else None, drift=DRIFT)
        frames[device] = (organisation, line.frame)
    stored = 0
    for lo, hi in ((0, NORMAL), (NORMAL, READINGS)):
        batch = []
        for device, (organisation, frame) in frames.items():
            batch += _messages(organisation, device, frame, lo, hi, start, now)
        stored += sum(v.stored for v in services.intake.take(batch))
        windows = services.intake.anchor_due(now)
        if lo == 0:
            for device in frames:
                # The normal start, anchored: PCA on the process variables, parameters
                # chosen by the library, root causes ranked on the line's process graph.
                services.bus.handle(
                    FitMonitor(
                        device,
                        "pca",
                        start,
                        start + timedelta(seconds=NORMAL),
                        graph="machining",
                        variables=tuple(PROCESS),
                    ),
                    demo,
                )
            anchored = windows
    with services.engine.connect() as conn:
        alarm = first_alarm_after(conn, FAULTY, FAULT_AT)
    return EvidenceSummary(
        [device for _, device, _, _ in LINES],
        stored,
        anchored + windows,
        alarm["seq"] if alarm else None,
        alarm["top_variables"] if alarm else [],
    )
