"""A machining line's stream put into the store the way a device sends it: registered as an
organisation's data source, its readings taken through ``Intake.take`` (as MQTT or HTTP
would hand them over), its windows anchored and a checkpoint signed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from qcert.evidence.commands import RegisterDevice
from qcert.evidence.intake import Message, Verdict, topic_for
from qcert.quality.demo_line import CHARACTERISTICS, PROCESS, SPECS, UNITS

__all__ = ["VARIABLES", "register_line", "send"]


# The demo line's variables as a device registers them: the characteristics with their
# specification limits, the process parameters without.
def _variable(name: str) -> dict[str, Any]:
    lower, upper, _ = SPECS.get(name, (None, None, None))
    limits = {"lower": lower, "upper": upper}
    return {"name": name, "unit": UNITS[name], **{k: v for k, v in limits.items() if v is not None}}


VARIABLES: list[dict[str, Any]] = [_variable(name) for name in (*PROCESS, *CHARACTERISTICS)]


def register_line(run: Callable[[Any], Any], client_id: str, device_id: str) -> None:
    """Register ``device_id`` as ``client_id``'s machining line (the demo line's variables)."""
    run(RegisterDevice(device_id, client_id, "line", VARIABLES, "Machining line 1"))


def send(
    intake: Any,
    client_id: str,
    device_id: str,
    frame: pd.DataFrame,
    start: datetime,
    step: timedelta = timedelta(seconds=1),
    batch: int = 250,
    first_seq: int = 0,
) -> list[Verdict]:
    """Send ``frame``'s rows as readings ``first_seq``, ``first_seq`` + 1, ... taken ``step``
    apart from ``start``, in messages of ``batch`` readings, each received a second after its
    last reading."""
    verdicts = []
    rows = frame.to_dict("records")
    for first in range(0, len(rows), batch):
        part = rows[first : first + batch]
        readings = [
            {
                "seq": first_seq + first + k,
                "time": (start + (first + k) * step).isoformat(),
                "values": {name: float(v) for name, v in row.items()},
            }
            for k, row in enumerate(part)
        ]
        doc = {
            "device": device_id,
            "units": {name: UNITS[name] for name in frame.columns},
            "readings": readings,
        }
        received = start + (first + len(part)) * step + timedelta(seconds=1)
        message = Message(topic_for(client_id, device_id), json.dumps(doc).encode(), received)
        verdicts += intake.take([message])
    return verdicts
