"""The body's auditors in its workspace: the list, and each auditor's record with the
competence matrix (scheme × IAF sector, each with the ledger entry that recorded it), the
registration as recorded, the employer, the audits done and those to come.

The route's rule (the access policy) admits those who assign or check competence, and an
auditor to their own record; an auditor another body employs is not found here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from .. import schemes
from ..store import auditors as views
from . import words
from .client_pages import MAX_ID, PAGE_SIZE, TEXT, body_of, body_scope, listing
from .i18n import lang_of
from .render import PageNotFound, guard, page, services

__all__ = ["HISTORY", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
_ZONE = ZoneInfo("Asia/Shanghai")  # the body's day, as its rules date things
HISTORY = 100  # audits of the history one page shows, newest first (a busy lead has hundreds)


def _local(instant: str) -> str:
    """A recorded instant (UTC, ISO 8601) as the body reads it: minutes, Asia/Shanghai."""
    try:
        return datetime.fromisoformat(instant).astimezone(_ZONE).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return instant


def _sector(code: int, lang: str) -> str:
    found = schemes.sectors().get(code)
    name = (found.zh if lang == "zh-CN" else found.en) if found else ""
    return f"{code} {name}".strip()


@router.get("/ws/bodies/{body_id}/auditors", response_class=HTMLResponse)
def auditors(request: Request, body_id: str) -> Response:
    """The body's auditors, 25 a page, by id, optionally those whose id, name or
    registration number holds a text; each with its competence by scheme."""
    who, body = body_of(request, body_id)
    asked = listing(request)
    query = views.AuditorQuery(asked.text, (asked.current - 1) * PAGE_SIZE, PAGE_SIZE)
    with services(request).engine.connect() as conn:
        rows, total = views.auditor_page(conn, body_scope(who, body_id), body_id, query)
    for r in rows:
        r["competence"] = [
            (words.scheme_label(s), sectors) for s, sectors in sorted(r["qualifications"].items())
        ]
    return page(
        request,
        "ws/body/auditors.html",
        422 if asked.error else 200,
        who,
        TEXT,
        body=body,
        rows=rows,
        total=total,
        asked=asked,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("/ws/bodies/{body_id}/auditors/{auditor_id}", response_class=HTMLResponse)
def auditor(request: Request, body_id: str, auditor_id: str) -> Response:
    """One auditor's record, as the body recorded it."""
    who, body = body_of(request, body_id)
    if len(auditor_id) > MAX_ID:
        raise PageNotFound
    lang = lang_of(request)
    today = datetime.now(_ZONE).date().isoformat()
    with services(request).engine.connect() as conn:
        found = views.auditor(conn, body_scope(who, body_id), body_id, auditor_id, today)
    if found is None:
        raise PageNotFound
    matrix: list[dict[str, Any]] = []
    for scheme_id, by_sector in found["matrix"].items():
        for code, grant in by_sector.items():
            matrix.append(
                {
                    "scheme_name": words.scheme_label(scheme_id),
                    "sector": _sector(code, lang),
                    "code": code,
                    "recorded": _local(grant["at"]),
                    "by": grant["actor"],
                    "index": grant["ledger_index"],
                }
            )
    shown_history = found["history"][:HISTORY]
    for a in found["upcoming"] + shown_history:
        a["scheme_name"] = words.scheme_label(a["scheme_id"])
        a["client_name"] = a["name_en"] if lang == "en" and a["name_en"] else a["name_zh"]
    return page(
        request,
        "ws/body/auditor.html",
        200,
        who,
        TEXT,
        body=body,
        auditor=found,
        history=shown_history,
        matrix=matrix,
        employer=body if found["employer"] == body["id"] else None,
    )
