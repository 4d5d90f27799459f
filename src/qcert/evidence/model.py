"""A data source as the platform knows it: whose it is, what it reports, its key, and how far
its readings are anchored.

Its readings are not part of its state (they live in the time-series store); the state keeps
only what decides whether a message is taken: the organisation, the variables and their
units, the key, whether it is retired, and the end of its newest anchored window (readings
before it are late: what was anchored at an instant is never rewritten).
"""

from __future__ import annotations

import base64
import math
import re
from datetime import datetime
from typing import Any

from ..lifecycle.aggregate import Aggregate, text_field
from ..lifecycle.rules import refuse
from ..locale import problems
from . import events as ev
from .payload import micros

__all__ = ["Device", "check_variables", "due_until"]

KINDS = ("line", "station", "sensor")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")  # as the payload's variable names


def due_until(latest: int, now: int, window: int, grace: int, idle: int) -> int:
    """The instant (µs) up to which a device's windows are due for anchoring: every window
    ending at or before it. ``latest`` is the time of the device's newest stored reading,
    ``now`` the wall clock; ``window``, ``grace`` and ``idle`` are lengths in µs.

    Solidification (国市监认证发〔2025〕72号 (三): process data collected and solidified as it
    happens) follows the device's own time, as a stream processor's event-time watermark does:
    a window is due once the device has sent a reading at or past its end plus the grace (the
    device has moved on, so a reading still dated inside it would be the device's own lateness),
    or once the wall clock is past its end plus the idle allowance (a device gone silent still
    has its last windows anchored). A consumer that falls behind therefore does not make a
    device's timely readings late: until they are stored, the device has not moved on. Two
    limits remain: a backlog older than the idle allowance, and consumers sharing a device's
    messages that store one more than the grace ahead of another."""
    moved_on = (latest - grace) // window * window
    silent = (now - idle) // window * window
    return max(moved_on, silent)


def due_cutoffs(
    pending: list[tuple[str, int, int]], now: int, window: int, grace: int, idle: int
) -> dict[str, int]:
    """Of each device with readings not anchored yet, ``(device, first, latest)`` µs (the
    store's ``pending``), the instant its windows are due until (:func:`due_until`), for
    those that have a due window holding readings."""
    cutoffs = {}
    for device_id, first, latest in pending:
        cutoff = due_until(latest, now, window, grace, idle)
        if first < cutoff:
            cutoffs[device_id] = cutoff
    return cutoffs


def _problem(field: str, key: str, /, **fields: object) -> Exception:
    # The problem ``key``'s sentences are in the catalogs (locale.problems).
    en, zh = problems.problem(key, **fields)
    return refuse("evidence.device", field=field, problem=en, problem_zh=zh)


def check_variables(variables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The variables as recorded (``name``, ``unit``, and ``lower``/``upper`` when given),
    refusing a duplicate name, an empty unit, a limit that is no finite number, or a lower
    specification limit that is not below the upper one."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, var in enumerate(variables):
        where = f"variables.{i}"
        unknown = set(var) - {"name", "unit", "lower", "upper"}
        if unknown:
            raise _problem(where, "device.unknown_field", field=sorted(unknown)[0])
        name, unit = var.get("name"), var.get("unit")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _problem(f"{where}.name", "device.variable_name")
        if not isinstance(unit, str) or not 1 <= len(unit) <= 32 or not unit.isprintable():
            raise _problem(f"{where}.unit", "device.unit")
        if name in seen:
            raise _problem(f"{where}.name", "device.listed_twice", name=name)
        seen.add(name)
        row: dict[str, Any] = {"name": name, "unit": unit}
        for limit in ("lower", "upper"):
            value = var.get(limit)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _problem(f"{where}.{limit}", "number.any")
            if not math.isfinite(value):
                raise _problem(f"{where}.{limit}", "number.finite")
            row[limit] = value
        if "lower" in row and "upper" in row and not row["lower"] < row["upper"]:
            raise _problem(f"{where}.lower", "device.lower_below_upper")
        out.append(row)
    return out


def _check_key(public_key: str, signed: bool) -> str:
    if public_key:
        raw = base64.b64decode(public_key, validate=True)
        if len(raw) != 32:
            raise _problem("public_key", "device.key_length")
    elif signed:
        raise _problem("signed", "device.sign_without_key")
    return public_key


class Device(Aggregate):
    """A data source of an organisation (id: the device id, unique on the platform)."""

    kind = "device"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.client_id = self.device_kind = self.label = self.public_key = ""
        self.variables: list[dict[str, Any]] = []
        self.signed = self.retired = False
        self.anchored_until = 0  # microseconds: the end of the newest anchored window
        self.windows = 0

    @classmethod
    def register(
        cls,
        device_id: str,
        client_id: str,
        kind: str,
        label: str,
        variables: list[dict[str, Any]],
        public_key: str,
        signed: bool,
    ) -> Device:
        """A new data source of ``client_id``, reporting ``variables``."""
        if kind not in KINDS:
            raise _problem("kind", "choice.one_of", choices=("line", "station", "sensor"))
        device = cls(device_id)
        label = text_field("label", label, 200) if label.strip() else ""
        device.record(
            ev.DeviceRegistered(
                device_id,
                client_id,
                kind,
                label,
                check_variables(variables),
                _check_key(public_key, signed),
                signed,
            )
        )
        return device

    def rotate_key(self, public_key: str, signed: bool) -> None:
        """Replace the key (a retired source keeps its last one)."""
        self._live()
        self.record(ev.DeviceKeyRotated(_check_key(public_key, signed), signed))

    def retire(self, reason: str) -> None:
        """Retire the source: its messages are refused from now on."""
        self._live()
        self.record(ev.DeviceRetired(text_field("reason", reason, 500)))

    def anchor(
        self, start: str, end: str, first_seq: int, last_seq: int, count: int, root: str
    ) -> None:
        """Record the anchoring of the window [start, end) (RFC 3339 UTC); windows are
        anchored in time order, each once."""
        if micros(_instant(start)) < self.anchored_until:
            raise _problem("start", "stream.anchored_already", start=start)
        self.record(
            ev.WindowAnchored(self.id, self.client_id, start, end, first_seq, last_seq, count, root)
        )

    def _live(self) -> None:
        if self.retired:
            raise _problem("device_id", "device.retired", device=self.id)

    # -- folding ------------------------------------------------------------------------

    def _on_device_registered(self, e: ev.DeviceRegistered) -> None:
        self.client_id, self.device_kind, self.label = e.client_id, e.kind, e.label
        self.variables, self.public_key, self.signed = list(e.variables), e.public_key, e.signed

    def _on_device_key_rotated(self, e: ev.DeviceKeyRotated) -> None:
        self.public_key, self.signed = e.public_key, e.signed

    def _on_device_retired(self, e: ev.DeviceRetired) -> None:
        self.retired = True

    def _on_window_anchored(self, e: ev.WindowAnchored) -> None:
        self.anchored_until = micros(_instant(e.end))
        self.windows += 1


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
