"""A small world for the evidence tests: organisation c1 with device d1 (and a signed d2)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.evidence.commands import RegisterDevice
from qcert.evidence.intake import Message
from qcert.lifecycle import commands as c
from tests.integration.lifecycle.conftest import SITES
from tests.services import SYSTEM

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
PUBLIC = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()
VARIABLES = [
    {"name": "temp", "unit": "degC", "lower": 20, "upper": 80},
    {"name": "pressure", "unit": "kPa"},
]
UNITS = {"temp": "degC", "pressure": "kPa"}


def build(services: Any) -> None:
    """Register organisations c1 and c2, c1's devices d1 (unsigned) and d2 (must sign)."""
    run = lambda cmd: services.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(c.RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, SITES))
    run(c.RegisterClient("c2", "91440300708461136T", "公司二", "Co2", "深圳", "440305", 9, SITES))
    run(RegisterDevice("d1", "c1", "sensor", VARIABLES, "Oven 1"))
    run(RegisterDevice("d2", "c1", "station", VARIABLES, "Press", PUBLIC, True))


def reading(seq: int, at: datetime = NOW, temp: float = 50.0, **extra: Any) -> dict[str, Any]:
    """One reading ``seq`` taken at ``at``."""
    return {
        "seq": seq,
        "time": at.isoformat(),
        "values": {"temp": temp, "pressure": 101.3},
        **extra,
    }


def message(
    readings: list[dict[str, Any]],
    device: str = "d1",
    org: str = "c1",
    units: dict[str, str] | None = None,
    sign: bool = False,
    received: datetime = NOW + timedelta(seconds=1),
) -> Message:
    """A message of ``readings`` from ``device`` on its topic."""
    doc: dict[str, Any] = {"device": device, "units": units or UNITS, "readings": readings}
    if sign:
        doc["signature"] = base64.b64encode(KEY.sign(rfc8785.dumps(doc))).decode()
    return raw(json.dumps(doc).encode(), device, org, received)


def raw(
    payload: bytes,
    device: str = "d1",
    org: str = "c1",
    received: datetime = NOW + timedelta(seconds=1),
) -> Message:
    return Message(f"qcert/v1/{org}/{device}/line", payload, received)
