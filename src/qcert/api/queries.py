"""Read endpoints over the projections: paginated, and scoped to the caller's tenants."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from ..errors import QcertError
from ..store import tables as t
from .auth import Caller
from .principal import visible

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["queries"])
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0)]


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class NotFound(QcertError):
    status = 404


_JSON = {"sectors", "team", "sites", "roles", "api_keys", "scopes", "qualifications"}


def _row(r: sa.RowMapping) -> dict[str, Any]:
    return {k: json.loads(v) if k in _JSON and isinstance(v, str) else v for k, v in r.items()}


def _page(
    request: Request,
    who: Caller,
    table: sa.Table,
    limit: int,
    offset: int,
    *where: sa.ColumnElement[bool],
    order: Any = None,
) -> Page:
    cond = sa.and_(visible(who, table), *where)
    with request.app.state.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table).where(cond)).scalar()
        rows = conn.execute(
            sa.select(table)
            .where(cond)
            .order_by(*([order] if order is not None else list(table.primary_key)))
            .limit(limit)
            .offset(offset)
        ).mappings()
        return Page(items=[_row(r) for r in rows], total=total or 0, limit=limit, offset=offset)


@router.get("/me")
def me(who: Caller) -> dict[str, Any]:
    """The caller's account and roles."""
    return {"account_id": who.account_id, "roles": sorted(f"{r}@{s}" for r, s in who.roles)}


@router.get("/certifications")
def certifications(
    request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0, stage: str | None = None
) -> Page:
    """Certifications the caller may see."""
    where = [t.certifications.c.stage == stage] if stage else []
    return _page(request, who, t.certifications, limit, offset, *where)


@router.get("/certifications/{certification_id}")
def certification(request: Request, who: Caller, certification_id: str) -> dict[str, Any]:
    """One certification with its audits, findings and certificate."""
    c = t.certifications
    with request.app.state.engine.connect() as conn:
        row = (
            conn.execute(sa.select(c).where(c.c.id == certification_id, visible(who, c)))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no certification {certification_id!r}")

        def rows(table: sa.Table) -> list[dict[str, Any]]:
            q = sa.select(table).where(table.c.certification_id == certification_id)
            return [_row(r) for r in conn.execute(q).mappings()]

        return {
            **_row(row),
            "audits": rows(t.audits),
            "findings": rows(t.findings),
            "certificate": next(iter(rows(t.certificates)), None),
            "history": rows(t.certificate_history),
        }


@router.get("/certificates")
def certificates(
    request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0, status: str | None = None
) -> Page:
    """Certificates the caller may see, optionally by status."""
    where = [t.certificates.c.status == status] if status else []
    return _page(request, who, t.certificates, limit, offset, *where)


@router.get("/audits")
def audits(request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Audits the caller may see."""
    return _page(request, who, t.audits, limit, offset)


@router.get("/findings")
def findings(
    request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0, status: str | None = None
) -> Page:
    """Findings the caller may see."""
    where = [t.findings.c.status == status] if status else []
    return _page(request, who, t.findings, limit, offset, *where)


@router.get("/clients")
def clients(request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Client organisations the caller may see."""
    return _page(request, who, t.clients, limit, offset)


@router.get("/bodies")
def bodies(request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Certification bodies the caller belongs to (all, for platform administrators)."""
    return _page(request, who, t.bodies, limit, offset)


@router.get("/auditors")
def auditors(request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Auditors of the caller's bodies."""
    return _page(request, who, t.auditors, limit, offset)


@router.get("/cases")
def cases(request: Request, who: Caller, limit: Limit = 50, offset: Offset = 0) -> Page:
    """Complaints and appeals handled by the caller's bodies."""
    return _page(request, who, t.cases, limit, offset)


@router.get("/programme")
def programme(
    request: Request,
    who: Caller,
    limit: Limit = 50,
    offset: Offset = 0,
    overdue_on: date | None = None,
) -> Page:
    """Audit-programme items of current cycles; with ``overdue_on``, those undone by that day."""
    p = t.programme
    where = [p.c.done_on.is_(None), p.c.due_by < overdue_on.isoformat()] if overdue_on else []
    return _page(request, who, p, limit, offset, *where, order=p.c.due_by)
