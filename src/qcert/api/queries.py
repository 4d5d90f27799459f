"""Read endpoints over the projections: paginated, and scoped to the caller's read scope."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from ..access import read_scope
from ..errors import QcertError
from ..store import queries
from .deps import Caller, Svc, guard
from .errors import errors

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1",
    tags=["queries"],
    dependencies=[Depends(guard)],
    responses=errors(400, 401, 403, 413, 422),
)
Limit = Annotated[int, Query(ge=1, le=200, description="Rows per page (1-200)")]
# Past a billion rows no page exists; bounded so the database never sees an overflowing offset.
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Rows to skip")]


class Stage(StrEnum):
    applied = "applied"
    contract_reviewed = "contract-reviewed"
    auditing = "auditing"
    reviewed = "reviewed"
    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"


class Status(StrEnum):
    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"


class FindingStatus(StrEnum):
    open = "open"
    answered = "answered"
    closed = "closed"


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class MeRead(BaseModel):
    account_id: str
    roles: list[str]


class NotFound(QcertError):
    status = 404


def _page(
    svc: Svc,
    who: Caller,
    name: str,
    limit: int,
    offset: int,
    filters: dict[str, str] | None = None,
    overdue_on: date | None = None,
) -> Page:
    with svc.engine.connect() as conn:
        items, total = queries.page(
            conn,
            read_scope(who),
            name,
            limit,
            offset,
            {k: v for k, v in (filters or {}).items() if v is not None},
            overdue_on.isoformat() if overdue_on else None,
        )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/me")
def me(who: Caller) -> MeRead:
    """The caller's account and roles."""
    return MeRead(account_id=who.account_id, roles=sorted(f"{r}@{s}" for r, s in who.roles))


@router.get("/certifications")
def certifications(
    svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0, stage: Stage | None = None
) -> Page:
    """Certifications the caller may see, optionally at one stage."""
    return _page(svc, who, "certifications", limit, offset, {"stage": stage and stage.value})


@router.get("/certifications/{certification_id}", responses=errors(404))
def certification(svc: Svc, who: Caller, certification_id: str) -> dict[str, Any]:
    """One certification with its audits, findings, certificate and status history."""
    with svc.engine.connect() as conn:
        found = queries.certification(conn, read_scope(who), certification_id)
    if found is None:
        raise NotFound(
            f"no certification {certification_id!r}",
            f"没有认证项目 {certification_id!r}，或无权查看",
        )
    return found


@router.get("/certificates")
def certificates(
    svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0, status: Status | None = None
) -> Page:
    """Certificates the caller may see, optionally by status."""
    return _page(svc, who, "certificates", limit, offset, {"status": status and status.value})


@router.get("/audits")
def audits(svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Audits the caller may see."""
    return _page(svc, who, "audits", limit, offset)


@router.get("/findings")
def findings(
    svc: Svc,
    who: Caller,
    limit: Limit = 50,
    offset: Offset = 0,
    status: FindingStatus | None = None,
) -> Page:
    """Findings the caller may see, optionally by status."""
    return _page(svc, who, "findings", limit, offset, {"status": status and status.value})


@router.get("/clients")
def clients(svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Client organisations the caller may see."""
    return _page(svc, who, "clients", limit, offset)


@router.get("/bodies")
def bodies(svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Certification bodies the caller belongs to (all, for platform administrators)."""
    return _page(svc, who, "bodies", limit, offset)


@router.get("/auditors")
def auditors(svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Auditors of the caller's bodies."""
    return _page(svc, who, "auditors", limit, offset)


@router.get("/cases")
def cases(svc: Svc, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Complaints and appeals handled by the caller's bodies."""
    return _page(svc, who, "cases", limit, offset)


@router.get("/programme")
def programme(
    svc: Svc,
    who: Caller,
    limit: Limit = 50,
    offset: Offset = 0,
    overdue_on: date | None = None,
) -> Page:
    """Audit-programme items of current cycles; with ``overdue_on``, those undone by that day."""
    return _page(svc, who, "programme", limit, offset, overdue_on=overdue_on)
