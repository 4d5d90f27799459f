"""The certification body's workspace: dashboard, certifications, and each certification's
page with its timeline and the action forms of the viewer's roles.

Every page is scoped to one body: a viewer with no role there gets the 403 page (platform
administrators see every body). Actions go through the same authorisation and message bus
as the API; a refusal re-renders the page with the rule, its source clause and the message
in the viewer's language, keeping what was typed.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..access import Forbidden, Resource, may
from ..errors import QcertError
from ..schemes import RuleViolation, SchemeError
from ..store import dashboard as views
from ..store import search
from ..store.certification_record import certification_record
from ..store.views import body_row
from . import listing, words
from .body_charts import charts
from .body_context import certification_context, parse_month
from .body_forms import FORMS, build, form_values, preview_audit_time
from .body_text import EVENT_LABELS, MESSAGES
from .feedback_text import BODY_MESSAGES as CONFIRM_TEXT
from .i18n import lang_of, translator
from .planning import parse_period
from .planning_text import MESSAGES as PLANNING
from .render import (
    PageForbidden,
    PageNotFound,
    Viewer,
    guard,
    page,
    require_csrf,
    services,
    viewer,
)
from .search_text import MESSAGES as LIST_WORDS

__all__ = ["DASHBOARD_ROWS", "PAGE_SIZE", "router"]

# Every page here is its body's staff's only (the access policy, via ``guard``).
router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
PAGE_SIZE = 25  # rows a page of the certification list unless the viewer asks for more
DASHBOARD_ROWS = views.SHOWN  # rows of each list on the dashboard; the rest are paged
TEXT = {
    **MESSAGES,
    **LIST_WORDS,
    **CONFIRM_TEXT,
    **PLANNING,
    **{f"event.{k}": v for k, v in EVENT_LABELS.items()},
}
_CHARTS_JS = files("qcert.web").joinpath("static/charts.js").read_bytes()


def _today() -> date:
    # The body's day: its rules date everything in Asia/Shanghai, whatever the server's zone.
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _body(request: Request, body_id: str) -> tuple[Viewer, dict[str, Any]]:
    """The viewer and the body (``guard`` has checked the viewer may see it)."""
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = body_row(conn, body_id)
    if body is None:
        raise PageNotFound
    return who, body


def _record(request: Request, body_id: str, cid: str) -> dict[str, Any]:
    with services(request).engine.connect() as conn:
        record = certification_record(conn, body_id, cid)
    if record is None:
        raise PageNotFound
    return record


@router.get("/static/charts.js")
def charts_script() -> Response:
    """Our few lines that draw the dashboard's charts with the locally served plotly bundle."""
    return Response(
        _CHARTS_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
    )


@router.get("/ws/bodies/{body_id}", response_class=HTMLResponse)
def dashboard(request: Request, body_id: str) -> Response:
    """A body's dashboard: figures with the rows behind them, and three charts."""
    who, body = _body(request, body_id)
    today = _today()
    with services(request).engine.connect() as conn:
        board = views.dashboard(conn, body_id, today, DASHBOARD_ROWS)
    t = translator(lang_of(request), TEXT)
    return page(
        request,
        "ws/body/dashboard.html",
        who=who,
        messages=TEXT,
        body=body,
        board=board,
        charts=charts(board, t),
        certification_name=listing.certification_name,
    )


@router.get("/ws/bodies/{body_id}/certifications", response_class=HTMLResponse)
def certifications(request: Request, body_id: str) -> Response:
    """A body's certifications, filtered by stage, scheme, certificate status and text,
    sorted by a column, a page at a time (the download link keeps the same filters)."""
    who, body = _body(request, body_id)
    with services(request).engine.connect() as conn:
        body_schemes = search.body_schemes(conn, body_id)
        asked = listing.list_query(request.query_params, body_schemes, PAGE_SIZE)
        rows, total = search.certification_list(
            conn, body_id, asked.where, (asked.page - 1) * asked.size, asked.size
        )
    return page(
        request,
        "ws/body/certifications.html",
        422 if asked.error else 200,
        who=who,
        messages=TEXT,
        body=body,
        rows=rows,
        total=total,
        asked=asked,
        stage=asked.where.stage,
        stages=views.STAGES,
        statuses=views.STATUSES,
        schemes=[(s, words.scheme_label(s)) for s in body_schemes],
        sorts=search.SORTS,
        current=asked.page,
        pages=max(1, -(-total // asked.size)),
        error=asked.error[0] if asked.error else None,
        error_values=asked.error[1] if asked.error else {},
        certification_name=listing.certification_name,
        link=lambda **changes: _list_link(body_id, asked.args, changes),
        export=urlencode(asked.args),
    )


def _list_link(body_id: str, args: dict[str, str], changes: dict[str, Any]) -> str:
    """The list's address with the current filters and ``changes`` (None drops a parameter)."""
    merged = dict(args)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    query = urlencode(merged)
    return f"/ws/bodies/{quote(body_id, safe='')}/certifications" + (f"?{query}" if query else "")


def _certification_page(
    request: Request,
    who: Viewer,
    body: dict[str, Any],
    cid: str,
    status: int = 200,
    failed: str | None = None,
    values: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
) -> Response:
    record = _record(request, body["id"], cid)
    today = _today()
    month = parse_month(request.query_params.get("month"), today) or parse_month(None, today)
    assert month is not None
    asked = request.query_params.get("start"), request.query_params.get("end")
    period = parse_period(*asked)
    with services(request).engine.connect() as conn:
        context = certification_context(
            conn, who, body, record, today, month, failed, values, period
        )
    context["bad_period"] = any(asked) and period is None
    done = request.query_params.get("done")
    return page(
        request,
        "ws/body/certification.html",
        status,
        who,
        TEXT,
        **context,
        error=error,
        done=done if done in FORMS else None,
    )


@router.get("/ws/bodies/{body_id}/certifications/{cid}", response_class=HTMLResponse)
def certification(request: Request, body_id: str, cid: str) -> Response:
    """One certification: client, certificate, audits, findings, programme, its timeline with
    a ledger proof per event, and the forms the viewer's roles may use."""
    who, body = _body(request, body_id)
    return _certification_page(request, who, body, cid)


@router.get("/ws/bodies/{body_id}/certifications/{cid}/entries/{index}")
def entry(request: Request, body_id: str, cid: str, index: str) -> Response:
    """The exact bytes of one entry on this certification's timeline: what its proof proves,
    for ``qcert ledger verify-proof --entry`` (only entries the timeline shows its viewer)."""
    _body(request, body_id)
    if not (index.isascii() and index.isdigit()) or len(index) > 19:
        raise PageNotFound
    record = _record(request, body_id, cid)
    found = next((e for e in record["events"] if e["ledger_index"] == int(index)), None)
    if found is None:
        raise PageNotFound
    return Response(
        found["entry"],
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="qcert-entry-{int(index)}.json"'},
    )


@router.get("/ws/bodies/{body_id}/certifications/{cid}/{action}")
def action_form(request: Request, body_id: str, cid: str, action: str) -> Response:
    """An action's address opened directly: back to the form on the certification's page,
    for those who may see that body (others get the 403 page here, not at the next hop)."""
    if action not in FORMS:
        raise PageNotFound
    target = f"/ws/bodies/{quote(body_id, safe='')}/certifications/{quote(cid, safe='')}"
    return RedirectResponse(f"{target}#form-{action}", status_code=303)


def _refusal(err: Exception, lang: str) -> tuple[int, dict[str, str]]:
    """The status and what the page says of a refused command, in the viewer's language."""
    if isinstance(err, RuleViolation):
        status = 422 if err.rule == "input.invalid" else 409
        message = err.zh if lang == "zh-CN" else err.en
        # The lifecycle's refusals name fields and values in words already (``worded``).
        said = {"rule": err.rule, "source": err.source, "message": message, "worded": "yes"}
        return status, said
    status = int(getattr(err, "status", 422))
    return status, {"rule": type(err).__name__, "source": "qcert", "message": str(err)}


@router.post("/ws/bodies/{body_id}/certifications/{cid}/{action}")
async def act(request: Request, body_id: str, cid: str, action: str) -> Response:
    """Run the viewer's command on a certification, then show the certification again."""
    form = await request.form(max_files=0, max_fields=1000)
    return await run_in_threadpool(_act, request, body_id, cid, action, form)


def _act(request: Request, body_id: str, cid: str, action: str, form: Any) -> Response:
    who, body = _body(request, body_id)
    require_csrf(request, form, who)
    if action not in FORMS:
        raise PageNotFound
    if not may(who.principal, FORMS[action], Resource(bodies=frozenset({body_id}))):
        raise PageForbidden
    record = _record(request, body_id, cid)
    values = form_values(form)
    try:
        command = build(action, values, who.account_id, cid)
        if action == "review-contract" and values.get("step") == "preview":
            # Recalculate only: show the justification for these percentages, record nothing.
            shown = preview_audit_time(record, values)
            if shown.error is not None:
                raise shown.error
            return _certification_page(request, who, body, cid, 200, action, values)
        services(request).bus.handle(command, who.principal)
    except Forbidden:
        raise PageForbidden from None
    except (SchemeError, QcertError) as err:
        status, error = _refusal(err, lang_of(request))
        return _certification_page(request, who, body, cid, status, action, values, error)
    target = f"/ws/bodies/{quote(body_id, safe='')}/certifications/{quote(cid, safe='')}"
    return RedirectResponse(f"{target}?done={action}#timeline", status_code=303)
