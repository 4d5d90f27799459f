"""The body's client organisations in its workspace: the list (a page at a time, by name,
filtered by a text) and each organisation's page (its record, and its certifications, audits,
open findings, complaints and appeals and documents at this body).

The route's rule (the access policy) admits the body's staff whose work is with clients; what
the pages show is read through the viewer's read scope narrowed to the body, so an
organisation the body has no dealings with (no application, certification or consent) is not
found, and nothing the organisation has at another body shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..access import ReadScope, read_scope
from ..store import organisations as views
from ..store.scoping import visible
from ..store.views import body_row
from . import words
from .body_text import MESSAGES as BODY_MESSAGES
from .directory_text import MESSAGES
from .i18n import lang_of
from .provinces import PROVINCES
from .render import PageForbidden, PageNotFound, Viewer, guard, page, services, viewer

__all__ = [
    "MAX_ID",
    "MAX_TEXT",
    "PAGE_SIZE",
    "TEXT",
    "Listing",
    "body_of",
    "body_scope",
    "listing",
    "router",
]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # past this no body has rows, and offsets stay small integers
MAX_TEXT = 100  # characters of the text to find: more names nothing anyone types
MAX_ID = 64  # an identifier's length (qcert.lifecycle.inputs.Id)
SORTS = ("name", "-name")
TEXT = {**BODY_MESSAGES, **MESSAGES}


@dataclass(frozen=True)
class Listing:
    """A list page's query as asked (bounded), and the first thing wrong with it."""

    text: str
    sort: str
    current: int
    error: str | None


def listing(request: Request) -> Listing:
    """The ``q``, ``sort`` and ``page`` parameters, each checked before use: a bad one is
    named (``error.q``, ``error.sort``, ``error.page``) and its default used instead."""
    q = request.query_params
    text, sort, number, error = q.get("q", ""), q.get("sort", "name"), q.get("page", "1"), None
    if len(text) > MAX_TEXT:
        text, error = "", "error.q"
    if sort not in SORTS:
        sort, error = "name", error or "error.sort"
    # ASCII digits only ("²" is a digit to str.isdigit), few enough for int() to read (it
    # refuses past 4,300 digits), and a page that can exist.
    digits = number.isascii() and number.isdigit() and len(number) <= len(str(MAX_PAGE))
    if not (digits and 1 <= int(number) <= MAX_PAGE):
        number, error = "1", error or "error.page"
    # Control characters (NUL among them, which PostgreSQL refuses in text) name nothing.
    text = "".join(ch for ch in text if ch >= " ")
    return Listing(text.strip(), sort, int(number), error)


def body_scope(who: Viewer, body_id: str) -> views.Scope:
    """The viewer's read scope narrowed to ``body_id``, as a condition per table: what the
    body's staff read of it, whatever else the viewer may read elsewhere."""
    scope = read_scope(who.principal)
    if not (scope.everything or body_id in scope.bodies):
        raise PageForbidden
    narrowed = ReadScope(bodies=frozenset({body_id}))

    def condition(table: sa.Table) -> sa.ColumnElement[bool]:
        return visible(narrowed, table)

    return condition


def body_of(request: Request, body_id: str) -> tuple[Viewer, dict[str, Any]]:
    """The viewer and the body (``guard`` has checked the viewer may see it)."""
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = body_row(conn, body_id)
    if body is None:
        raise PageNotFound
    return who, body


def _province(adcode: str, lang: str) -> str:
    found = PROVINCES.get(adcode[:2]) if adcode else None
    return found[0 if lang == "zh-CN" else 1] if found else ""


@router.get("/ws/bodies/{body_id}/clients", response_class=HTMLResponse)
def clients(request: Request, body_id: str) -> Response:
    """The organisations the body deals with, 25 a page, by name, optionally those whose
    name, credit code or id holds a text."""
    who, body = body_of(request, body_id)
    asked, lang = listing(request), lang_of(request)
    query = views.ClientQuery(
        asked.text,
        asked.sort == "-name",
        lang,
        (asked.current - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    with services(request).engine.connect() as conn:
        rows, total = views.client_page(conn, body_scope(who, body_id), body_id, query)
    for r in rows:
        r["province"] = _province(r["adcode"], lang)
    return page(
        request,
        "ws/body/clients.html",
        422 if asked.error else 200,
        who,
        TEXT,
        body=body,
        rows=rows,
        total=total,
        asked=asked,
        sorts=SORTS,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("/ws/bodies/{body_id}/clients/{client_id}", response_class=HTMLResponse)
def client(request: Request, body_id: str, client_id: str) -> Response:
    """One organisation as the body's staff see it."""
    who, body = body_of(request, body_id)
    if len(client_id) > MAX_ID:
        raise PageNotFound
    lang = lang_of(request)
    with services(request).engine.connect() as conn:
        found = views.organisation(conn, body_scope(who, body_id), body_id, client_id)
    if found is None:
        raise PageNotFound
    for c in found["certifications"]:
        c["scheme_name"] = words.scheme_label(c["scheme_id"])
    names = {c["id"]: c["scheme_name"] for c in found["certifications"]}
    for a in found["audits"]:
        a["scheme_name"] = names.get(a["certification_id"], "")
    return page(
        request,
        "ws/body/client.html",
        200,
        who,
        TEXT,
        body=body,
        client=found,
        client_name=(found["name_en"] if lang == "en" and found["name_en"] else found["name_zh"]),
        province=_province(found["adcode"], lang),
    )
