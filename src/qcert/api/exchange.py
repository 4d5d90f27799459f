"""Read-only exchange exports: IAF CertSearch upload batches and the national reporting set.

A body's exports are for that body's staff (any role at the body) and platform administrators.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ..exchange import certsearch, national
from ..lifecycle.inputs import Id
from ..store import views
from .deps import Svc, guard
from .errors import errors
from .queries import NotFound

__all__ = ["router"]

# Whose exports these are is the access policy's to say (the body's own staff): ``guard``.
router = APIRouter(
    prefix="/api/v1/exchange",
    tags=["exchange"],
    dependencies=[Depends(guard)],
    responses=errors(400, 401, 403, 404, 413, 422),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BodyQuery = Annotated[Id, Query(description="Body id")]


class ExportFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"


def _body(conn: Any, body_id: str) -> dict[str, Any]:
    body = views.body_row(conn, body_id)
    if body is None:
        raise NotFound(f"no body {body_id!r}")
    return body


@router.get("/certsearch", response_model=None)
def certsearch_batch(
    svc: Svc,
    body: BodyQuery,
    fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.json,
    batch: Annotated[int, Query(ge=1, le=1_000_000, description="Batch number, from 1")] = 1,
) -> dict[str, Any] | Response:
    """One IAF CertSearch upload batch (at most 1,000 records) of a body's certificates."""
    with svc.engine.connect() as conn:
        issuer = _body(conn, body)
        batches = certsearch.batch_count(views.count_certificates(conn, body))
        if batch > batches:
            raise NotFound(f"batch: {body} has {batches} batch(es)")
        rows = views.certificate_rows(
            conn, body, offset=(batch - 1) * certsearch.BATCH_LIMIT, limit=certsearch.BATCH_LIMIT
        )
        records = [certsearch.to_record(r, issuer) for r in rows]
    if fmt is ExportFormat.xlsx:
        name = f"{body}_certs_{batch}.xlsx"
        return Response(
            certsearch.write_xlsx(records),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return certsearch.batch_document(records, batch, batches)


@router.get("/national")
def national_report(
    svc: Svc,
    body: BodyQuery,
    start: Annotated[date | None, Query(alias="from", description="First day")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day")] = None,
) -> dict[str, Any]:
    """A body's national reporting set for a period (inclusive), as one versioned document."""
    national.check_period(start, end)
    with svc.engine.connect() as conn:
        return national.report(
            _body(conn, body),
            views.audit_rows(conn, body),
            views.finding_rows(conn, body),
            views.certificate_rows(conn, body),
            views.history_rows(conn, body),
            views.auditor_registrations(conn, body),
            start,
            end,
        )
