"""Published status lists (W3C Bitstring Status List v1.0), now and at any past instant."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from ..credentials.statuslist import StatusList
from ..errors import QcertError
from ..lifecycle.inputs import Id
from ..store import status as views
from .deps import PublicRoute, Svc
from .errors import errors

__all__ = ["parse_instant", "router"]

router = APIRouter(tags=["status"], route_class=PublicRoute, responses=errors(400, 404, 413, 422))
ListNo = Annotated[int, Path(ge=1, le=1_000_000, description="List number, from 1")]


class Purpose(StrEnum):
    revocation = "revocation"
    suspension = "suspension"


class NotPublished(QcertError):
    status = 404


class BadInstant(QcertError):
    status = 422


def parse_instant(value: str | None, field: str = "at") -> datetime | None:
    """An ISO 8601 instant with a zone, or a date meaning the end of that day (UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59), UTC)
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if at.tzinfo is None:
            raise BadInstant(f"{field}: an instant must carry a time zone (Z or +08:00)")
        at.astimezone(UTC)  # an instant near year 1 or 9999 may not exist in UTC
    except (ValueError, OverflowError):
        raise BadInstant(f"{field}: must be a date (YYYY-MM-DD) or an ISO 8601 instant") from None
    return at


_AT = Query(max_length=40, description="a past instant (ISO 8601) or date; default now")


@router.get("/bodies/{body_id}/status/{purpose}/{list_no}")
def status_list(
    svc: Svc,
    body_id: Id,
    purpose: Purpose,
    list_no: ListNo,
    at: Annotated[str | None, _AT] = None,
) -> Response:
    """The signed status list credential in effect at ``at`` (its bytes as on the ledger)."""
    when = parse_instant(at)
    with svc.engine.connect() as conn:
        row = views.list_version(conn, body_id, purpose.value, list_no, when)
    if row is None:
        raise NotPublished(f"{body_id} published no {purpose.value} list {list_no} by then")
    data = svc.ledger.entry(row["ledger_index"])
    headers = {"X-Ledger-Index": str(row["ledger_index"]), "X-List-Version": str(row["version"])}
    return Response(data, media_type="application/vc+ld+json", headers=headers)


@router.get("/bodies/{body_id}/status/{purpose}/{list_no}/versions")
def status_list_versions(
    svc: Svc, body_id: Id, purpose: Purpose, list_no: ListNo
) -> dict[str, Any]:
    """Every version of a list: when it took effect and its ledger entry (prove it with
    ``GET /ledger/proof/{index}``)."""
    with svc.engine.connect() as conn:
        rows = views.list_versions(conn, body_id, purpose.value, list_no)
    if not rows:
        raise NotPublished(f"{body_id} published no {purpose.value} list {list_no}")
    return {"body": body_id, "purpose": purpose.value, "list": list_no, "versions": rows}


@router.get("/public/certificates/{number}/status")
def certificate_status(
    svc: Svc,
    number: Annotated[str, Path(max_length=64)],
    at: Annotated[str | None, _AT] = None,
) -> dict[str, Any]:
    """Whether a certificate was revoked or suspended at ``at``, read from the status lists its
    body had published by then, with the ledger entry of each list version read."""
    when = parse_instant(at) or datetime.now(UTC)
    with svc.engine.connect() as conn:
        found = views.certificate_entry(conn, number)
        if found is None or found["status_list"] is None:
            raise NotPublished(f"certificate {number}: no credential status was published")
        answer: dict[str, Any] = {
            "number": number,
            "at": when.isoformat().replace("+00:00", "Z"),
            "index": found["status_index"],
        }
        for purpose in Purpose:
            row = views.list_version(
                conn, found["body_id"], purpose.value, found["status_list"], when
            )
            if row is None:
                answer[purpose.value] = None
                continue
            listed = json.loads(svc.ledger.entry(row["ledger_index"]))
            bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
            answer[purpose.value] = {
                "set": bits[found["status_index"]],
                "version": row["version"],
                "valid_from": row["valid_from"],
                "ledger_index": row["ledger_index"],
            }
    revoked = bool(answer["revocation"] and answer["revocation"]["set"])
    suspended = bool(answer["suspension"] and answer["suspension"]["set"])
    published = answer["revocation"] is not None
    answer["status"] = (
        "withdrawn"
        if revoked
        else "suspended"
        if suspended
        else "not-yet-published"
        if not published
        else "not-revoked-or-suspended"
    )
    return answer
