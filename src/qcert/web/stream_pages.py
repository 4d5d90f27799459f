"""Live streams and the examination report, in the organisation's portal and in the body's
workspace.

The portal shows an organisation's own data sources to its users and to the staff of the
bodies that read its records (``portal_of`` refuses anyone else); the workspace shows a body's
staff the same for an organisation the body holds a certification of or was consented to (the
route's rule admits the body's staff only; any other organisation is not found). Each page has
a small JSON view that ``/static/streams.js`` polls to refresh it, a reading's proof to
download, and the examination report (HTML in the viewer's language, or the bilingual PDF).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..evidence.proofs import NotAnchored, ReadingNotFound, proof_of_reading
from ..store import portal
from ..store import streams as views
from ..store.views import body_row
from .body_text import MESSAGES as BODY_MESSAGES
from .i18n import lang_of, translator
from .portal_pages import portal_of
from .portal_pages import render as portal_page
from .portal_text import MESSAGES as PORTAL_MESSAGES
from .render import HEADERS, PageNotFound, Viewer, guard, page, services, viewer
from .stream_charts import CHART_READINGS, device_view
from .stream_text import MESSAGES
from .words import local_time, viewer_zone

__all__ = ["MAX_CHARTS", "MAX_DEVICES", "REFRESH_SECONDS", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
REFRESH_SECONDS = 10  # how often the page polls its JSON view
MAX_DEVICES = 50  # data sources one page shows (the first by id)
# Charts one page draws (in device and variable order): a source may register 200 variables,
# and a chart costs about 5 ms and 10 KB on every poll, so 50 such sources would cost ~50 s
MAX_CHARTS = 60
PORTAL_TEXT = {**PORTAL_MESSAGES, **MESSAGES}
BODY_TEXT = {**BODY_MESSAGES, **MESSAGES}
_STREAMS_JS = files("qcert.web").joinpath("static/streams.js").read_bytes()


@router.get("/static/streams.js")
def streams_script() -> Response:
    """Our few lines that poll the live view's JSON and redraw its charts and figures."""
    return Response(
        _STREAMS_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
    )


def _live(request: Request, client_id: str) -> dict[str, Any]:
    """What the live view shows of ``client_id`` (whose reading the caller has checked), its
    charts' times in the viewer's zone."""
    zone, lang = viewer_zone(request), lang_of(request)
    with services(request).engine.connect() as conn:
        devices = views.devices(conn, [client_id], MAX_DEVICES)
        windows = views.latest_windows(conn, [d["id"] for d in devices])
        shown, budget = [], MAX_CHARTS
        for d in devices:
            rows = views.latest(conn, d["id"], CHART_READINGS)
            shown.append(device_view(d, rows, windows.get(d["id"]), zone, lang, budget))
            budget -= len(shown[-1]["charts"])
        dead = views.dead_letter_count(conn, client_id)
    return {"client": client_id, "devices": shown, "dead_letters": dead}


def _shown(latest: dict[str, Any] | None, zone: str) -> dict[str, Any] | None:
    # The page redraws the newest reading's time as it first showed it: in the viewer's zone.
    return {**latest, "shown": local_time(latest.get("time"), zone)} if latest else latest


def _json(live: dict[str, Any], zone: str) -> JSONResponse:
    """The live view as JSON: each chart's figure parsed, so the page hands it to plotly;
    times also as the viewer reads them (``shown``, ``at_shown``)."""
    devices = [
        {
            **{k: v for k, v in d.items() if k != "charts"},
            "latest": _shown(d.get("latest"), zone),
            "charts": [
                {
                    "id": c.id,
                    "variable": c.variable,
                    "latest": c.latest,
                    "points": c.points,
                    "figure": json.loads(c.figure),
                }
                for c in d["charts"]
            ],
        }
        for d in live["devices"]
    ]
    now = datetime.now(UTC)
    body = {**live, "devices": devices, "at": now.isoformat(), "at_shown": local_time(now, zone)}
    return JSONResponse(body, headers=HEADERS)


def _proof(request: Request, client_id: str, device_id: str, seq: str) -> Response:
    """A reading's proof as a JSON attachment (``qcert evidence verify`` checks it offline):
    not found unless the reading is one of ``client_id``'s data sources'; 409 while its
    window is not anchored (or no checkpoint is signed over its anchor yet)."""
    if not (seq.isascii() and seq.isdigit() and len(seq) <= 18):
        raise PageNotFound
    svc = services(request)
    with svc.engine.connect() as conn:
        ours = views.owner(conn, device_id) == client_id
    if not ours:
        raise PageNotFound
    try:
        doc = proof_of_reading(svc.engine, svc.ledger, device_id, int(seq))
    except ReadingNotFound:
        raise PageNotFound from None
    except NotAnchored:
        message = translator(lang_of(request), MESSAGES)("streams.proof_pending")
        who = viewer(request)
        return page(
            request, "ws/refused.html", 409, who, MESSAGES, message=message, field="seq", code=409
        )
    name = f"qcert-proof-{device_id}-{int(seq)}.json"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    body = json.dumps(doc, ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers=headers)


def _examination(request: Request, who: Viewer, client_id: str, text: dict) -> Response:
    """The examination report over the period ``from``/``to`` asked for: HTML in the
    viewer's language, or with ``format=pdf`` the bilingual PDF."""
    # Imported on the first examination, not with the site: the report's statistics bring
    # scipy.stats, statsmodels and scikit-learn, most of a second of every server's start.
    from ..examinations import OrganisationNotFound, WindowInvalid, examine, window
    from ..reports.examination import render_html, render_pdf

    q = request.query_params
    kind = q.get("format", "html")
    try:
        if kind not in ("html", "pdf"):
            raise WindowInvalid("format", "choice.one_of", choices=("html", "pdf"))
        now = datetime.now(UTC)
        begin, stop = window(q.get("from"), q.get("to"), now, viewer_zone(request))
    except WindowInvalid as err:
        message = err.zh if lang_of(request) == "zh-CN" else str(err)
        return page(
            request, "ws/refused.html", 422, who, text, message=message, field=err.field, code=422
        )
    try:
        report = examine(services(request).engine, who.principal, client_id, begin, stop)
    except OrganisationNotFound:
        raise PageNotFound from None
    if kind == "pdf":
        name = f"qcert-examination-{quote(client_id, safe='')}.pdf"
        headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(render_pdf(report), media_type="application/pdf", headers=headers)
    return HTMLResponse(render_html(report, lang_of(request)), headers=HEADERS)


# -- the organisation's portal -------------------------------------------------


@router.get("/portal/{client_id}/streams", response_class=HTMLResponse)
def portal_streams(request: Request, client_id: str) -> Response:
    """The organisation's data sources: newest reading, a control chart per variable with its
    specification limits, the newest anchored window and a reading's proof, refused messages."""
    p = portal_of(request, client_id)
    base = f"/portal/{quote(client_id, safe='')}"
    return portal_page(
        request,
        p,
        "ws/portal/streams.html",
        "streams",
        messages=PORTAL_TEXT,
        live=_live(request, client_id),
        base=base,
        refresh=REFRESH_SECONDS,
        max_charts=MAX_CHARTS,
    )


@router.get("/portal/{client_id}/streams/live")
def portal_live(request: Request, client_id: str) -> Response:
    """The live view's data as JSON, for the page to poll."""
    portal_of(request, client_id)
    return _json(_live(request, client_id), viewer_zone(request))


@router.get("/portal/{client_id}/streams/{device_id}/readings/{seq}/proof")
def portal_proof(request: Request, client_id: str, device_id: str, seq: str) -> Response:
    """The proof of one of the organisation's readings (JSON attachment)."""
    portal_of(request, client_id)
    return _proof(request, client_id, device_id, seq)


@router.get("/portal/{client_id}/examination")
def portal_examination(request: Request, client_id: str) -> Response:
    """The organisation's quality examination report (``from``, ``to``, ``format``)."""
    p = portal_of(request, client_id)
    return _examination(request, p.who, client_id, PORTAL_TEXT)


# -- the body's workspace --------------------------------------------------------


def _body_client(
    request: Request, body_id: str, client_id: str
) -> tuple[Viewer, dict[str, Any], dict[str, Any]]:
    """The viewer, the body and the organisation, when the body reads the organisation's
    records (a certification of it, or its consent); else the not-found page."""
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = body_row(conn, body_id)
        readable = body is not None and views.client_readable_by_body(conn, body_id, client_id)
        client = portal.client(conn, client_id) if readable else None
    if body is None or client is None:
        raise PageNotFound
    return who, body, client


@router.get("/ws/bodies/{body_id}/clients/{client_id}/streams", response_class=HTMLResponse)
def body_streams(request: Request, body_id: str, client_id: str) -> Response:
    """An organisation's live streams, for the staff of a body that reads its records."""
    who, body, client = _body_client(request, body_id, client_id)
    base = f"/ws/bodies/{quote(body_id, safe='')}/clients/{quote(client_id, safe='')}"
    name = client["name_en"] if lang_of(request) == "en" and client["name_en"] else None
    return page(
        request,
        "ws/body/streams.html",
        200,
        who,
        BODY_TEXT,
        body=body,
        client=client,
        client_name=name or client["name_zh"],
        live=_live(request, client_id),
        base=base,
        refresh=REFRESH_SECONDS,
        max_charts=MAX_CHARTS,
    )


@router.get("/ws/bodies/{body_id}/clients/{client_id}/streams/live")
def body_live(request: Request, body_id: str, client_id: str) -> Response:
    """The live view's data as JSON, for the page to poll."""
    _body_client(request, body_id, client_id)
    return _json(_live(request, client_id), viewer_zone(request))


@router.get("/ws/bodies/{body_id}/clients/{client_id}/streams/{device_id}/readings/{seq}/proof")
def body_proof(
    request: Request, body_id: str, client_id: str, device_id: str, seq: str
) -> Response:
    """The proof of one of the organisation's readings (JSON attachment)."""
    _body_client(request, body_id, client_id)
    return _proof(request, client_id, device_id, seq)


@router.get("/ws/bodies/{body_id}/clients/{client_id}/examination")
def body_examination(request: Request, body_id: str, client_id: str) -> Response:
    """The organisation's quality examination report as the body's staff may read it."""
    who, _, _ = _body_client(request, body_id, client_id)
    return _examination(request, who, client_id, BODY_TEXT)
