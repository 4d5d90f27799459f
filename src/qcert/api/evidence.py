"""Real-time evidence, under ``/evidence/v1``: devices' readings in, readings and proofs out.

``POST /evidence/v1/readings`` takes a JSON array of reading messages (the payload's schema at
``GET /evidence/v1/schema``) from a user of the devices' organisation, usually a device
gateway with that user's API key, and answers one verdict per item: 200 with the verdicts
whatever became of each item; 4xx only for the request as a whole. Each item is taken as an
MQTT message on its device's topic would be (``qcert/v1/{organisation}/{device}/http``).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from .. import access
from ..access import EntryOwner, Forbidden
from ..errors import QcertError
from ..evidence.intake import Message, topic_for
from ..evidence.payload import json_schema, micros
from ..evidence.proofs import proof_of_reading
from ..lifecycle.inputs import Id
from ..locale.names import field_label
from ..store import evidence as views
from ..store import watch as watch_views
from .deps import Caller, Svc, guard
from .errors import errors
from .queries import NotFound

__all__ = ["BATCH_CAP", "ITEMS", "router"]

ITEMS = 1000  # messages in one request
BATCH_CAP = 8 * 1024 * 1024  # bytes of one request
SeqPath = Annotated[int, Path(ge=0, le=2**53 - 1)]
Instant = Annotated[datetime | None, Query(description="RFC 3339 with its offset")]

router = APIRouter(
    prefix="/evidence/v1",
    tags=["evidence"],
    dependencies=[Depends(guard)],
    responses=errors(400, 401, 403, 404, 409, 413, 422),
)


class BatchInvalid(QcertError):
    """The request as a whole cannot be taken."""

    status = 422

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The reading message's JSON Schema (draft 2020-12), version 1."""
    return json_schema()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is no JSON number")


def _items(body: bytes) -> list[Any]:
    # RFC 8259 6 has no NaN or Infinity (Python's reader takes them); nesting deeper than the
    # reader's recursion limit is no reading message either.
    try:
        items = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BatchInvalid(
            "body: not JSON (RFC 8259)", "请求体：不是有效的 JSON（RFC 8259）"
        ) from None
    if not isinstance(items, list) or not 1 <= len(items) <= ITEMS:
        raise BatchInvalid(
            f"body: a JSON array of 1 to {ITEMS} reading messages",
            f"请求体：须为包含 1 至 {ITEMS} 条读数消息的 JSON 数组",
        )
    return items


@router.post("/readings")
async def readings(request: Request, svc: Svc, who: Caller) -> dict[str, Any]:
    """Take up to 1,000 reading messages (each at most 256 KiB, one device's readings each):
    one verdict per item, in order (``stored``, ``duplicate`` or ``refused`` with its code and
    reasons in en and zh-CN). Durable when answered; resending changes nothing."""
    body = await request.body()
    if len(body) > BATCH_CAP:
        raise BatchInvalid(f"body: at most {BATCH_CAP} bytes", f"请求体：最多 {BATCH_CAP} 字节")
    items = _items(body)
    names = [i.get("device") if isinstance(i, dict) else None for i in items]
    wanted = [n for n in names if isinstance(n, str) and len(n) <= 64]
    registry = await run_in_threadpool(_devices, svc, wanted)
    mine = who.scopes("client", "client-admin") | who.scopes("client", "client-user")
    for name in wanted:
        device = registry.get(name)
        # An organisation's readings come from its own users only: the platform's operator
        # may not write process data in its name (the route admits the operator, for
        # devices of organisations it is a user of).
        if device is not None and device.client_id not in mine:
            raise Forbidden(
                "access.evidence",
                f"device: {name} is another organisation's",
                f"device：{name} 属于其他组织",
            )
    now = svc.clock()
    home = min(mine) if mine else "platform"
    messages = []
    for item, name in zip(items, names, strict=True):
        device = registry.get(name) if isinstance(name, str) else None
        org = device.client_id if device is not None else home
        topic = topic_for(org, name if isinstance(name, str) else "-", "http")
        try:
            payload = json.dumps(item, ensure_ascii=False, allow_nan=False).encode()
        except ValueError:  # a number too large for a double (1e999) was read as infinity
            raise BatchInvalid(
                "body: a number is out of range (RFC 8259 6)",
                "请求体：数值超出范围（RFC 8259 第 6 节）",
            ) from None
        messages.append(Message(topic, payload, now))
    verdicts = await run_in_threadpool(svc.intake.take, messages)
    return {"verdicts": [dataclasses.asdict(v) for v in verdicts]}


def _devices(svc: Any, names: list[str]) -> dict[str, Any]:
    with svc.engine.connect() as conn:
        return views.devices(conn, names)


def _readable(svc: Any, who: Any, device: str) -> None:
    """Refuse unless ``who`` reads ``device``'s organisation's records (404 for no device)."""
    with svc.engine.connect() as conn:
        found = views.readers_of(conn, device)
    if found is None:
        raise NotFound(f"no device {device!r}")
    client, bodies = found
    access.decide(who, access.READ_EVIDENCE, EntryOwner("evidence", bodies, frozenset({client})))


@router.get("/devices/{device}/readings")
def device_readings(
    svc: Svc,
    who: Caller,
    device: Annotated[Id, Path()],
    start: Instant = None,
    end: Instant = None,
    limit: Annotated[int, Query(ge=1, le=views.MAX_ROWS)] = 10_000,
) -> dict[str, Any]:
    """A device's readings taken in [start, end) (default: all), in seq order, at most
    ``limit``: for the organisation's users and the staff of its bodies."""
    _readable(svc, who, device)
    for name, at in (("start", start), ("end", end)):
        if at is not None and at.tzinfo is None:
            raise BatchInvalid(
                f"{name}: must carry its offset", f"{field_label(name)}：须带时区偏移"
            )
    # micros takes any offset as it is: converting to UTC first overflows at the calendar's ends
    low = micros(start) if start else 0
    high = micros(end) if end else 2**63 - 1
    with svc.engine.connect() as conn:
        rows = views.readings(conn, device, low, high, limit)
    return {"device": device, "readings": rows}


@router.get("/devices/{device}/readings/{seq}/proof")
def reading_proof(
    svc: Svc, who: Caller, device: Annotated[Id, Path()], seq: SeqPath
) -> dict[str, Any]:
    """The proof that a reading is solidified: its bytes, its path in its window's tree, the
    window's anchoring event and that event's inclusion in the newest signed checkpoint
    (``qcert evidence verify`` checks it offline). 409 while its window is still open."""
    _readable(svc, who, device)
    return proof_of_reading(svc.engine, svc.ledger, device, seq)


@router.get("/devices/{device}/monitor")
def device_monitor(
    svc: Svc,
    who: Caller,
    device: Annotated[Id, Path()],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """A device's monitor (kind, parameters, normal period, limits, I charts, digest; null
    before one is fitted) and its alarm episodes, newest first, at most ``limit``: for the
    organisation's users and the staff of its bodies."""
    _readable(svc, who, device)
    with svc.engine.connect() as conn:
        monitor = watch_views.monitor_of(conn, device)
        alarms = watch_views.alarm_list(conn, device, limit)
    return {"device": device, "monitor": monitor, "alarms": alarms}


@router.get("/dead-letters")
def dead_letters(
    svc: Svc,
    who: Caller,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Messages of your organisation's devices that were refused, newest first, each with its
    topic, payload (first 64 KiB), code and reasons in en and zh-CN."""
    clients = None if who.platform else sorted(who.scopes("client"))
    with svc.engine.connect() as conn:
        rows = views.dead_letter_rows(conn, clients, limit, offset)
    return {"dead_letters": rows}
