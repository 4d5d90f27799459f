"""The supervision hub, under ``/hub/v1``: bodies report, regulators read.

``POST /hub/v1/reports`` takes a signed submission of the reporting standard (its schema at
``GET /hub/v1/schema``) and answers what was accepted, unchanged and refused, record by record.
``POST /hub/v1/uploads`` takes the same records as xlsx or CSV from a body's reporter. The reads
are a regulator's, scoped to its jurisdiction by the access policy.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from .. import access
from ..exchange import tabular
from ..exchange.schema import json_schema
from ..exchange.submission import Envelope, envelope
from ..lifecycle.inputs import Id
from ..store import hub as hub_views
from ..supervision.commands import SubmitReport
from .deps import Caller, Svc, guard
from .errors import errors
from .queries import NotFound

__all__ = ["REPORT_CAP", "UPLOAD_CAP", "router"]

REPORT_CAP = 16 * 1024 * 1024  # bytes: 1,000 records with their log entries and proofs
UPLOAD_CAP = 8 * 1024 * 1024  # bytes: a workbook of 1,000 rows

router = APIRouter(
    prefix="/hub/v1",
    tags=["hub"],
    dependencies=[Depends(guard)],
    responses=errors(400, 401, 403, 404, 413, 422),
)


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The reporting standard's JSON Schema (draft 2020-12)."""
    return json_schema()


@router.post("/reports")
async def report(body: Envelope, svc: Svc, who: Caller) -> dict[str, Any]:
    """Take in a body's signed submission: up to 1,000 records; each refused record comes back
    with its position, id, field and rule in zh-CN and en. Resending changes nothing."""
    outcome = await run_in_threadpool(svc.bus.handle, SubmitReport(body), who)
    return {"indices": outcome.indices, **outcome.reply}


@router.post("/uploads")
async def upload(
    svc: Svc,
    who: Caller,
    body_id: Annotated[Id, Form(description="The reporting body")],
    file: Annotated[UploadFile, File(description="xlsx or CSV, one record a row")],
) -> dict[str, Any]:
    """A body's records as a workbook or CSV (the standard's fields as columns, ``kind`` first),
    from its reporter; answered as a signed submission is."""
    data = await file.read(UPLOAD_CAP + 1)
    records = tabular.read(file.filename or "", data, UPLOAD_CAP)
    sent = svc.clock().isoformat(timespec="seconds")
    command = SubmitReport(Envelope.model_validate(envelope(body_id, sent, records)))
    outcome = await run_in_threadpool(svc.bus.handle, command, who)
    return {"indices": outcome.indices, **outcome.reply}


def _scope(who: Any) -> list[str]:
    return sorted(access.read_scope(who).jurisdictions)


@router.get("/bodies")
def bodies(svc: Svc, who: Caller) -> dict[str, Any]:
    """The bodies enrolled within your jurisdiction, with what they reported and any refusal
    of their logs by the hub's witness."""
    with svc.engine.connect() as conn:
        return {"bodies": hub_views.body_rows(conn, _scope(who))}


@router.get("/records")
def records(
    svc: Svc,
    who: Caller,
    kind: Annotated[str | None, Query(max_length=16, pattern="^[a-z-]+$")] = None,
    body: Annotated[Id | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Records reported about organisations within your jurisdiction, newest first."""
    with svc.engine.connect() as conn:
        rows = hub_views.record_rows(
            conn, _scope(who), kind=kind, body_id=body, limit=limit, offset=offset
        )
    return {"records": rows}


@router.get("/certificates/{number}")
def certificate(
    svc: Svc,
    who: Caller,
    number: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/()-]*$")],
) -> dict[str, Any]:
    """Everything reported about a certificate, from application to its latest status, each
    record with the body's log entry and inclusion proof (verifiable offline): for regulators
    whose jurisdiction holds the certified organisation."""
    with svc.engine.connect() as conn:
        region, trail = hub_views.certificate_trail(conn, number)
        uscc = next((r["record"].get("uscc") for r in trail if r["kind"] == "certificate"), "")
        referred = hub_views.referred_to(conn, [number, uscc]) if trail else set()
    if not trail:
        raise NotFound(f"no certificate {number!r} was reported to this hub")
    _supervise(who, region, referred)
    return {"number": number, "region": region, "records": trail}


def _supervise(who: Any, region: str | None, referred: set[str]) -> None:
    """Refuse unless ``who`` supervises ``region`` or one a warning on it was referred to
    (国市监认证发〔2025〕72号 (十三): other areas' records only once a case is referred)."""
    if not any(access.may_supervise(who, r) for r in referred):
        access.decide(who, access.SUPERVISE, region)


@router.get("/warnings")
def warnings(
    svc: Svc,
    who: Caller,
    status: Annotated[str | None, Query(max_length=16, pattern="^[a-z-]+$")] = None,
    indicator: Annotated[str | None, Query(max_length=64, pattern="^[a-z0-9-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Warnings on entities within your jurisdiction, or referred to it, highest priority
    first (a person's override, else how far the value lies past its threshold)."""
    with svc.engine.connect() as conn:
        rows = hub_views.warning_rows(
            conn, _scope(who), status=status, indicator=indicator, limit=limit, offset=offset
        )
    return {"warnings": rows}


@router.get("/warnings/{warning_id}")
def warning(svc: Svc, who: Caller, warning_id: Annotated[Id, Path()]) -> dict[str, Any]:
    """One warning with its evidence and history: for regulators of its region or of a region
    it was referred to."""
    with svc.engine.connect() as conn:
        found = hub_views.warning_row(conn, warning_id)
    if found is None:
        raise NotFound(f"no warning {warning_id!r}")
    regions = [found["region"], *found["referred_to"]]
    if not any(access.may_supervise(who, r) for r in regions):
        access.decide(who, access.SUPERVISE, found["region"])
    return found


@router.get("/portraits/{kind}/{key}")
def portrait(
    svc: Svc,
    who: Caller,
    kind: Annotated[str, Path(pattern="^(organisation|auditor)$")],
    key: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$")],
) -> dict[str, Any]:
    """Everything known of an organisation (by unified social credit code) or an auditor (by
    registration number) from every source, with its history: for regulators of a division
    its records lie in."""
    with svc.engine.connect() as conn:
        found = hub_views.portrait(conn, kind, key)
        referred = hub_views.referred_to(conn, [key])
    if not found["records"] and not found["registers"]:
        raise NotFound(f"the hub knows no {kind} {key!r}")
    if not any(access.may_supervise(who, r) for r in found["regions"]):
        _supervise(who, found["regions"][0] if found["regions"] else None, referred)
    return found
