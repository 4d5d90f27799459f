"""Real-time evidence events: a data source registered, its key rotated, retired, and each
window of its readings anchored on the ledger (国市监认证发〔2025〕72号 (三): collection and
solidification of process data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..lifecycle.events import Event

__all__ = ["DeviceKeyRotated", "DeviceRegistered", "DeviceRetired", "WindowAnchored"]


@dataclass(frozen=True)
class DeviceRegistered(Event):
    """An organisation registered a data source (a line, a station or a sensor): its id, the
    variables it reports (name, unit, optional lower and upper specification limits), its
    Ed25519 public key (base64, empty when none) and whether its messages must be signed."""

    name: ClassVar[str] = "evidence.device-registered"
    device_id: str
    client_id: str
    kind: str
    label: str
    variables: list[dict[str, Any]]
    public_key: str
    signed: bool


@dataclass(frozen=True)
class DeviceKeyRotated(Event):
    """A data source's Ed25519 public key was replaced (empty: it has none now), and whether
    its messages must be signed from now on."""

    name: ClassVar[str] = "evidence.device-key-rotated"
    public_key: str
    signed: bool


@dataclass(frozen=True)
class DeviceRetired(Event):
    """A data source was retired: its messages are refused from now on; what it sent stays,
    and its last windows are still anchored."""

    name: ClassVar[str] = "evidence.device-retired"
    reason: str


@dataclass(frozen=True)
class WindowAnchored(Event):
    """A window of one data source's readings was solidified: the RFC 9162 Merkle root
    (SHA-256, hex) of its readings' canonical bytes in sequence order, with the window's start
    and end (UTC), the first and last sequence numbers and the count. A reading of this window
    arriving later is refused; an edited or deleted one no longer gives this root."""

    name: ClassVar[str] = "evidence.window-anchored"
    device_id: str
    client_id: str
    start: str
    end: str
    first_seq: int
    last_seq: int
    count: int
    root: str
