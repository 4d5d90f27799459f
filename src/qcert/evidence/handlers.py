"""Real-time evidence handlers: open the unit of work, load, call one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from ..lifecycle.parties import Client
from . import commands as c
from .model import Device, due_until
from .payload import micros, utc_text
from .window import window_root

__all__ = ["HANDLERS"]


def register_device(cmd: c.RegisterDevice, uow: Any) -> None:
    uow.get(Client, cmd.client_id)  # NotFound when there is no such organisation
    uow.add(
        Device.register(
            cmd.device_id,
            cmd.client_id,
            cmd.kind,
            cmd.label,
            list(cmd.variables),
            cmd.public_key,
            cmd.signed,
        )
    )


def rotate_device_key(cmd: c.RotateDeviceKey, uow: Any) -> None:
    device = uow.get(Device, cmd.device_id)
    device.rotate_key(cmd.public_key, device.signed if cmd.signed is None else cmd.signed)


def retire_device(cmd: c.RetireDevice, uow: Any) -> None:
    uow.get(Device, cmd.device_id).retire(cmd.reason)


def anchor_windows(cmd: c.AnchorWindows, uow: Any) -> None:
    """Each due window of each device, in time order: its readings in sequence order become
    one RFC 9162 tree whose root is recorded (the store locks the devices first, so no reading
    slips into a window while it is being anchored). What is due is each device's own
    watermark (:func:`due_until`), not how far the intake's consumers have got."""
    window = cmd.window_seconds * 1_000_000
    now = micros(cmd.at.astimezone(UTC))
    grace, idle = cmd.grace_seconds * 1_000_000, cmd.idle_seconds * 1_000_000
    cutoffs: dict[str, int] = {}
    for device_id, first, latest in uow.evidence_pending():
        cutoff = due_until(latest, now, window, grace, idle)
        if first < cutoff:
            cutoffs[device_id] = cutoff
    anchored = 0
    for device_id, windows in uow.evidence_due(cutoffs, window, cmd.limit):
        device = uow.get(Device, device_id)
        for start, end, seqs, leaves in windows:
            device.anchor(
                utc_text(start),
                utc_text(end),
                seqs[0],
                seqs[-1],
                len(seqs),
                window_root(leaves).hex(),
            )
            anchored += 1
    uow.reply["anchored"] = anchored


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.RegisterDevice: register_device,
    c.RotateDeviceKey: rotate_device_key,
    c.RetireDevice: retire_device,
    c.AnchorWindows: anchor_windows,
}
