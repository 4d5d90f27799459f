"""A body's complaints and appeals (ISO/IEC 17021-1:2015 9.7, 9.8): the list, open ones first,
a page at a time; each case with its history and the forms that take it to its end.

A case is received (OpenCase, given to a handler who was not involved in what it is about),
acknowledged (AcknowledgeCase), worked on (RecordCaseProgress: information gathered and
verified, progress reported) and decided (ResolveCase, by the viewer as decider, which closes
it for good and so asks for confirmation). The body's administrator receives and decides; the
steps between are also the case's handler's. The bus decides, and a refusal is shown on the
page with its rule and source.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..access import Resource, may
from ..lifecycle import commands as c
from ..store import casework
from .admin_common import (
    PAGE_SIZE,
    FormError,
    back_to,
    body_of,
    confirmed,
    day,
    paging,
    posted,
    posted_by,
    refusal,
    run,
    text,
)
from .admin_common import TEXT as ADMIN_TEXT
from .case_text import MESSAGES as CASE_MESSAGES
from .i18n import lang_of
from .render import PageNotFound, Viewer, guard, page, services

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
KINDS = ("appeal", "complaint")
TEXT = {**ADMIN_TEXT, **CASE_MESSAGES}
# The steps between receipt and decision: the form's name -> its command.
STEPS = {"acknowledge": c.AcknowledgeCase, "progress": c.RecordCaseProgress}
DONE = ("open-case", "resolve-case", "acknowledge-case", "record-case-progress")


def _today() -> date:
    # The body's day: its rules date everything in Asia/Shanghai, whatever the server's zone.
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _handles(who: Viewer, body_id: str, command: type, handler: str | None = None) -> bool:
    return may(who.principal, command, Resource(bodies=frozenset({body_id}), handler=handler))


def _list_page(
    request: Request,
    who: Viewer,
    body: dict[str, Any],
    status: int = 200,
    error: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    asked = paging(request, PAGE_SIZE)
    with services(request).engine.connect() as conn:
        rows, total, still = casework.case_page(conn, body["id"], asked.offset, asked.size)
    done = request.query_params.get("done")
    return page(
        request,
        "ws/body/cases.html",
        asked.status(status),
        who,
        TEXT,
        body=body,
        rows=rows,
        still=still,
        **asked.fields(total),
        may_open=_handles(who, body["id"], c.OpenCase),
        kinds=KINDS,
        error=error,
        values=values or {"handler": who.account_id},
        done=done if done == "open-case" else None,
    )


@router.get("/ws/bodies/{body_id}/cases", response_class=HTMLResponse)
def cases(request: Request, body_id: str) -> Response:
    """The body's complaints and appeals, open ones first, a page at a time."""
    who, body = body_of(request, body_id)
    return _list_page(request, who, body)


@router.post("/ws/bodies/{body_id}/cases")
async def open_case(request: Request, body_id: str) -> Response:
    """Receive a complaint or an appeal (OpenCase), then show the case."""
    return await posted(request, _open, body_id)


def _open(request: Request, body_id: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    values = {k: str(form.get(k, ""))[:4000] for k in ("case_id", "kind", "certification_id")}
    values |= {k: str(form.get(k, ""))[:4000] for k in ("handler", "summary")}
    try:
        kind = text(form, "kind", 16)
        if kind not in KINDS:
            raise FormError("admin.choice", field="kind")
        command = c.OpenCase(
            text(form, "case_id", 64),
            kind,
            text(form, "certification_id", 64),
            text(form, "handler", 64),
            text(form, "summary", 4000),
        )
        # A case opened elsewhere is that body's: the certification must be this body's.
        with services(request).engine.connect() as conn:
            if casework.certification_body(conn, command.certification_id) != body_id:
                raise FormError("cases.not_ours", field="certification_id")
        refused = run(request, who, command)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _list_page(request, who, body, refused[0], refused[1], values)
    return back_to(body_id, "cases", command.case_id, done="open-case")


def _case_page(
    request: Request,
    who: Viewer,
    body: dict[str, Any],
    case_id: str,
    status: int = 200,
    error: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: str = "resolve",
) -> Response:
    with services(request).engine.connect() as conn:
        record = casework.case_record(conn, body["id"], case_id)
    if record is None:
        raise PageNotFound
    acknowledged = [e for e in record["events"] if e["type"] == "case.acknowledged"]
    decided = [e for e in record["events"] if e["type"] == "case.resolved"]
    open_ = not record["resolved"]
    steps = open_ and _handles(who, body["id"], c.RecordCaseProgress, record["handler"])
    done = request.query_params.get("done")
    return page(
        request,
        "ws/body/case.html",
        status,
        who,
        TEXT,
        body=body,
        case=record,
        acknowledged_at=acknowledged[0]["data"]["at"] if acknowledged else None,
        decider=decided[0]["data"].get("decider", "") if decided else None,
        may_resolve=_handles(who, body["id"], c.ResolveCase) and open_,
        may_acknowledge=steps and not acknowledged,
        may_progress=steps,
        error=error,
        failed=failed,
        values=values or {"on": _today().isoformat()},
        done=done if done in DONE else None,
    )


@router.get("/ws/bodies/{body_id}/cases/{case_id}", response_class=HTMLResponse)
def case(request: Request, body_id: str, case_id: str) -> Response:
    """One complaint or appeal: what it is about, its history, and the form to decide it."""
    who, body = body_of(request, body_id)
    return _case_page(request, who, body, case_id)


@router.post("/ws/bodies/{body_id}/cases/{case_id}/resolve")
async def resolve_case(request: Request, body_id: str, case_id: str) -> Response:
    """Decide a case and close it (ResolveCase), once its confirmation is ticked."""
    return await posted(request, _resolve, body_id, case_id)


def _resolve(request: Request, body_id: str, case_id: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    with services(request).engine.connect() as conn:
        if casework.case_record(conn, body_id, case_id) is None:
            raise PageNotFound  # another body's case is not this page's to know of
    values = {k: str(form.get(k, ""))[:4000] for k in ("outcome", "on")}
    try:
        # The viewer decides, by name: the domain checks they were not involved (9.7.8, 9.8.8).
        outcome = text(form, "outcome", 4000)
        command = c.ResolveCase(case_id, outcome, day(form, "on"), who.account_id)
        confirmed(form)
        refused = run(request, who, command)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _case_page(request, who, body, case_id, refused[0], refused[1], values)
    return back_to(body_id, "cases", case_id, done="resolve-case", anchor="history")


@router.post("/ws/bodies/{body_id}/cases/{case_id}/{step}")
async def case_step(request: Request, body_id: str, case_id: str, step: str) -> Response:
    """Acknowledge receipt (AcknowledgeCase) or record progress (RecordCaseProgress), each with
    a note; the server records the time."""
    if step not in STEPS:
        raise PageNotFound
    return await posted(request, _step, body_id, case_id, step)


def _step(request: Request, body_id: str, case_id: str, step: str, form: Any) -> Response:
    who, body = posted_by(request, body_id, form)
    with services(request).engine.connect() as conn:
        if casework.case_record(conn, body_id, case_id) is None:
            raise PageNotFound  # another body's case is not this page's to know of
    values = {"note": str(form.get("note", ""))[:4000], "on": _today().isoformat()}
    try:
        command = STEPS[step](case_id, text(form, "note", 500))
        # A handler who is not the body's administrator is told why on the page.
        refused = run(request, who, command, say_forbidden=True)
    except FormError as err:
        refused = refusal(err, lang_of(request))
    if refused is not None:
        return _case_page(request, who, body, case_id, refused[0], refused[1], values, step)
    name = "acknowledge-case" if step == "acknowledge" else "record-case-progress"
    return back_to(body_id, "cases", case_id, done=name, anchor="history")
