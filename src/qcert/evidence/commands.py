"""Real-time evidence commands. Handlers live in handlers.py; who may run each, in the access
policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import Strict, StringConstraints

from ..lifecycle.inputs import Id, Instant, Name, Note, Sha256

__all__ = [
    "AnchorWindows",
    "PreparedWindow",
    "RegisterDevice",
    "RetireDevice",
    "RotateDeviceKey",
]

PublicKey = Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9+/]{43}=)?$")]
Variables = Annotated[list[Annotated[dict[str, Any], MaxLen(4)]], MinLen(1), MaxLen(200)]
Micros = Annotated[int, Strict(), Ge(0), Le(2**63 - 1)]  # µs since the epoch
Seq = Annotated[int, Strict(), Ge(0), Le(2**53 - 1)]


@dataclass(frozen=True)
class RegisterDevice:
    """Register a data source of an organisation: a line, station or sensor, the variables it
    reports (each ``{"name", "unit", "lower"?, "upper"?}``), its Ed25519 public key (base64 of
    the 32 bytes; optional) and whether it must sign its messages."""

    device_id: Id
    client_id: Id
    kind: Literal["line", "station", "sensor"]
    variables: Variables
    label: Name = ""
    public_key: PublicKey = ""
    signed: bool = False


@dataclass(frozen=True)
class RotateDeviceKey:
    """Replace a data source's public key (empty: none), and say whether it must sign
    (left out: as before, so replacing a key never quietly admits unsigned messages)."""

    device_id: Id
    public_key: PublicKey
    signed: bool | None = None


@dataclass(frozen=True)
class RetireDevice:
    """Retire a data source: its messages are refused from now on."""

    device_id: Id
    reason: Note


@dataclass(frozen=True)
class PreparedWindow:
    """A due window's tree worked out from the store before the anchoring transaction: the
    device's readings taken in [start, end) µs (read when the device was anchored up to
    ``since``), how many, their first and last seq, and the root of their tree."""

    device_id: Id
    since: Micros
    start: Micros
    end: Micros
    first_seq: Seq
    last_seq: Seq
    count: Annotated[int, Strict(), Ge(1)]
    root: Sha256


@dataclass(frozen=True)
class AnchorWindows:
    """Anchor every due window, as of ``at``: one ``evidence.window-anchored`` event per window
    with readings (at most ``limit``). A device's window is due once a reading of that device
    dated at or past its end plus ``grace_seconds`` is stored, or once ``at`` is past its end
    plus ``idle_seconds`` (:func:`qcert.evidence.model.due_until`).

    ``prepared`` carries windows whose trees were worked out outside the transaction, so
    anchoring holds the store only to check that each still holds the same readings (the
    store only ever adds readings, so the same count and seq range is the same set) and to
    record it; a device whose prepared windows no longer match is anchored from the store."""

    at: Instant
    window_seconds: Annotated[int, Strict(), Ge(1), Le(86_400)] = 60
    grace_seconds: Annotated[int, Strict(), Ge(0), Le(3_600)] = 10
    limit: Annotated[int, Strict(), Ge(1), Le(100_000)] = 10_000
    idle_seconds: Annotated[int, Strict(), Ge(0), Le(86_400)] = 300
    prepared: Annotated[tuple[PreparedWindow, ...], MaxLen(100_000)] = ()
