"""Real-time evidence handlers: open the unit of work, load, call one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from itertools import pairwise
from typing import Any

from ..lifecycle.parties import Client
from . import commands as c
from .model import Device, due_cutoffs
from .payload import micros, utc_text
from .window import packed_window_root

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
    watermark (:func:`due_until`), not how far the intake's consumers have got.

    Windows the command brings prepared are checked, not read again: a device's are recorded
    when the device is still anchored up to where they were read from and each window still
    holds the same count and seq range of readings (readings are only ever added); any other
    due device, or one whose prepared windows no longer match, is read from the store here."""
    window = cmd.window_seconds * 1_000_000
    now = micros(cmd.at.astimezone(UTC))
    grace, idle = cmd.grace_seconds * 1_000_000, cmd.idle_seconds * 1_000_000
    cutoffs = due_cutoffs(uow.evidence_pending(), now, window, grace, idle)
    found = _still_matching(cmd.prepared, cutoffs, uow)
    for device_id in found:
        del cutoffs[device_id]  # what its prepared windows left is due at the next pass
    limit = cmd.limit - sum(map(len, found.values()))
    for device_id, since, windows in uow.evidence_due(cutoffs, window, limit):
        found[device_id] = [
            c.PreparedWindow(
                device_id, since, start, end, first, last, count, packed_window_root(leaves).hex()
            )
            for start, end, first, last, count, leaves in windows
        ]
    for device_id, windows in found.items():
        device = uow.get(Device, device_id)
        for w in windows:
            device.anchor(
                utc_text(w.start), utc_text(w.end), w.first_seq, w.last_seq, w.count, w.root
            )
    uow.reply["anchored"] = sum(map(len, found.values()))


def _still_matching(
    prepared: tuple[c.PreparedWindow, ...], cutoffs: dict[str, int], uow: Any
) -> dict[str, list[c.PreparedWindow]]:
    """The prepared windows, by device, of each device all of whose prepared windows are due,
    follow on from where it is anchored now (in the transaction, locked) one after another,
    and still hold what they held when prepared, with no reading stored meanwhile between
    them."""
    by_device: dict[str, list[c.PreparedWindow]] = {}
    for w in prepared:
        by_device.setdefault(w.device_id, []).append(w)
    due = {d: ws for d, ws in by_device.items() if d in cutoffs}
    if not due:
        return {}
    since = uow.evidence_anchored_until(sorted(due))
    matching = {}
    for device_id, windows in sorted(due.items()):
        windows.sort(key=lambda w: w.start)
        until = since.get(device_id)
        chained = all(w.since == until and w.start >= until for w in windows) and all(
            a.end <= b.start for a, b in pairwise(windows)
        )
        if not chained or windows[-1].end > cutoffs[device_id]:
            continue
        # Nothing came meanwhile between them either: no reading may be passed over.
        total = sum(w.count for w in windows)
        if uow.evidence_window_summary(device_id, until, windows[-1].end)[0] == total and all(
            uow.evidence_window_summary(device_id, w.start, w.end)
            == (w.count, w.first_seq, w.last_seq)
            for w in windows
        ):
            matching[device_id] = windows
    return matching


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.RegisterDevice: register_device,
    c.RotateDeviceKey: rotate_device_key,
    c.RetireDevice: retire_device,
    c.AnchorWindows: anchor_windows,
}
