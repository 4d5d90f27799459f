"""Handlers of watching a stream: open the unit of work, load, call one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from importlib import resources
from typing import Any

from ..lifecycle.aggregate import invalid
from ..quality.causality import GraphError, ProcessGraph, load_graph
from . import monitor_commands as c
from .monitor_model import StreamMonitor, _at
from .monitors import fit_monitor as fit

__all__ = ["HANDLERS", "bundled_graph"]


def bundled_graph(name: str) -> ProcessGraph | None:
    """The process graph bundled as ``qcert/quality/graphs/<name>.yaml``; None if none."""
    if not name:
        return None
    source = resources.files("qcert.quality") / "graphs" / f"{name}.yaml"
    if not source.is_file():
        return None
    try:
        return load_graph(source.read_text(encoding="utf-8"))
    except GraphError:
        return None


def _stream(uow: Any, device_id: str) -> StreamMonitor:
    if uow.exists(StreamMonitor, device_id):
        return uow.get(StreamMonitor, device_id)
    stream = StreamMonitor(device_id)
    uow.add(stream)
    return stream


def fit_monitor(cmd: c.FitMonitor, uow: Any) -> None:
    """Fit on the device's anchored readings of [start, end) and record the monitor."""
    if not cmd.start < cmd.end:
        raise invalid("end", "time.after_start")
    device = uow.evidence_device(cmd.device_id)
    if cmd.end.astimezone(UTC) > device["anchored_until"]:
        raise invalid(
            "end", "stream.not_anchored", anchored_until=device["anchored_until"].isoformat()
        )
    if cmd.graph and bundled_graph(cmd.graph) is None:
        raise invalid("graph", "graph.unknown", graph=cmd.graph)
    frame = uow.evidence_frame(cmd.device_id, cmd.start, cmd.end)
    selected = cmd.params == "select"
    params = None if selected else dict(cmd.params)  # type: ignore[arg-type]
    fitted = fit(cmd.kind, params, frame, device["specs"], list(cmd.variables) or None)
    _stream(uow, cmd.device_id).fit(
        device["client_id"], fitted, cmd.start, cmd.end, selected, cmd.graph
    )
    uow.reply.update({"digest": fitted.digest, "params": fitted.params, "limits": fitted.limits})


def _window(cmd: Any) -> dict[str, Any]:
    return {
        "window_start": _at(cmd.window_start),
        "window_root": cmd.window_root,
        "window_index": cmd.window_index,
    }


def raise_stream_alarm(cmd: c.RaiseStreamAlarm, uow: Any) -> None:
    uow.get(StreamMonitor, cmd.device_id).raise_alarm(
        {
            "seq": cmd.seq,
            "time": _at(cmd.time),
            "first_seq": cmd.first_seq,
            "statistic": cmd.statistic,
            "statistics": dict(cmd.statistics),
            "limits": dict(cmd.limits),
            "top_variables": [dict(v) for v in cmd.top_variables],
            "root_causes": [dict(v) for v in cmd.root_causes],
            "digest": cmd.digest,
            **_window(cmd),
        }
    )


def clear_stream_alarm(cmd: c.ClearStreamAlarm, uow: Any) -> None:
    uow.get(StreamMonitor, cmd.device_id).clear_alarm(
        {"seq": cmd.seq, "time": _at(cmd.time), "raised_seq": cmd.raised_seq, **_window(cmd)}
    )


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.FitMonitor: fit_monitor,
    c.RaiseStreamAlarm: raise_stream_alarm,
    c.ClearStreamAlarm: clear_stream_alarm,
}
