"""The body workspace's search, the dashboard's lists a page at a time, and downloads.

- ``/ws/bodies/{b}/search?q=``: one box for an organisation's name (or part of it), its
  unified social credit code, a certificate number or an auditor's name; results grouped,
  each linking to its page;
- ``/ws/bodies/{b}/lists/{name}``: a list behind a dashboard figure, a page at a time;
- ``/ws/bodies/{b}/export/{listing}?format=xlsx|csv``: the certification list (with the
  page's filters and sort), the search's results, or a dashboard list, as a file;
- ``/ws/bodies/{b}/reports``: the IAF CertSearch upload files and the national reporting set,
  for the staff whose role reports (the access policy's route rules say which).

Every page and download is the body's staff's only (``guard`` asks the access policy), and
reads only that body's records; a download goes through the same filters as its page.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..exchange import certsearch, national, spreadsheet
from ..store import dashboard as dash
from ..store import search, views
from . import listing
from .body_text import EVENT_LABELS
from .body_text import MESSAGES as BODY
from .i18n import lang_of, translator
from .render import PageNotFound, Viewer, guard, page, services, viewer
from .search_text import MESSAGES as WORDS

__all__ = ["EXPORT_MAX", "LIST_SIZE", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
TEXT = {**BODY, **WORDS, **{f"event.{k}": v for k, v in EVENT_LABELS.items()}}
LIST_SIZE = 50  # rows a page of a dashboard list
EXPORT_MAX = 100_000  # rows a download holds at most; past that the filter must be narrower


def _today() -> date:
    # The body's day: its rules date everything in Asia/Shanghai, whatever the server's zone.
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _body(request: Request, body_id: str) -> tuple[Viewer, dict[str, Any]]:
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = views.body_row(conn, body_id)
    if body is None:
        raise PageNotFound
    return who, body


def _refused(request: Request, who: Viewer, body: dict[str, Any], key: str, **values: Any) -> Any:
    """A 422 page naming the field and the rule of a refused request in the viewer's
    language, with the way back; nothing of what was asked for is read."""
    t = translator(lang_of(request), TEXT)
    if request.url.path.endswith("/search"):
        return page(
            request,
            "ws/body/search.html",
            422,
            who,
            TEXT,
            body=body,
            q="",
            groups=None,
            error=t(key, **values),
            error_key=key,
        )
    back = request.headers.get("referer", "")
    here = str(request.base_url).rstrip("/")
    # Back to the page that linked here (this site's only), else the body's dashboard.
    if not back.startswith(here + "/"):
        back = f"/ws/bodies/{quote(body['id'], safe='')}"
    return page(
        request,
        "ws/body/problem.html",
        422,
        who,
        TEXT,
        body=body,
        error=t(key, **values),
        error_key=key,
        back=back,
    )


@router.get("/ws/bodies/{body_id}/search", response_class=HTMLResponse)
def search_page(request: Request, body_id: str) -> Response:
    """Search the body's organisations, certifications, certificates and auditors."""
    who, body = _body(request, body_id)
    if "q" not in request.query_params:
        return page(
            request, "ws/body/search.html", 200, who, TEXT, body=body, q="", groups=None, error=None
        )
    q, problem = listing.search_query(request.query_params)
    if problem is not None:
        return _refused(request, who, body, problem[0], **problem[1])
    with services(request).engine.connect() as conn:
        groups = search.body_search(conn, body_id, q, listing.SEARCH_SHOWN)
    return page(
        request,
        "ws/body/search.html",
        200,
        who,
        TEXT,
        body=body,
        q=q,
        groups=groups,
        error=None,
        certification_name=listing.certification_name,
        export=urlencode({"q": q}),
    )


@router.get("/ws/bodies/{body_id}/lists/{name}", response_class=HTMLResponse)
def dashboard_list(request: Request, body_id: str, name: str) -> Response:
    """One of the lists behind the dashboard's figures, a page at a time."""
    who, body = _body(request, body_id)
    if name not in dash.LISTS:
        raise PageNotFound
    number = request.query_params.get("page", "1")
    current = listing.whole(number, listing.MAX_PAGE)
    error = None if current is not None else "body.list.bad_page"
    current = current or 1
    with services(request).engine.connect() as conn:
        rows, total = dash.dashboard_list(
            conn, body_id, name, _today(), (current - 1) * LIST_SIZE, LIST_SIZE
        )
    return page(
        request,
        "ws/body/list.html",
        422 if error else 200,
        who,
        TEXT,
        body=body,
        name=name,
        certification_name=listing.certification_name,
        rows=rows,
        total=total,
        current=current,
        pages=max(1, -(-total // LIST_SIZE)),
        error=error,
    )


def _export_rows(
    request: Request, conn: Any, body_id: str, listing_name: str
) -> tuple[list[dict[str, Any]], int] | tuple[str, dict[str, Any]]:
    """The rows of ``listing_name`` for this request's query string (the page's filters),
    at most EXPORT_MAX + 1 of them; or the problem with the query string."""
    params = request.query_params
    lang = lang_of(request)
    if listing_name == "certifications":
        asked = listing.list_query(params, search.body_schemes(conn, body_id), LIST_SIZE)
        if asked.error is not None:
            return asked.error
        return search.certification_list(conn, body_id, asked.where, 0, EXPORT_MAX + 1)
    if listing_name == "search":
        q, problem = listing.search_query(params)
        if problem is not None:
            return problem
        groups = search.body_search(conn, body_id, q, EXPORT_MAX + 1)
        rows = listing.search_rows(groups, translator(lang, TEXT), lang)
        return rows, len(rows)
    return dash.dashboard_list(conn, body_id, listing_name, _today(), 0, EXPORT_MAX + 1)


@router.get("/ws/bodies/{body_id}/export/{listing_name}")
def export(request: Request, body_id: str, listing_name: str) -> Response:
    """A list of the body as the viewer sees it, every page of it, as xlsx or CSV."""
    who, body = _body(request, body_id)
    if listing_name not in listing.COLUMNS and listing_name != "search":
        raise PageNotFound
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in spreadsheet.FORMATS:
        return _refused(request, who, body, "export.bad_format")
    with services(request).engine.connect() as conn:
        found = _export_rows(request, conn, body_id, listing_name)
    if isinstance(found[0], str):
        key, values = found  # type: ignore[misc]
        return _refused(request, who, body, key, **values)
    rows = found[0]
    if len(rows) > EXPORT_MAX:
        return _refused(request, who, body, "export.too_many", max=f"{EXPORT_MAX:,}")
    lang = lang_of(request)
    t = translator(lang, TEXT)
    head, cells = listing.table(listing_name, rows, t, lang)
    name = f"{body_id}-{listing_name}-{_today().isoformat()}"
    if fmt == "csv":
        return listing.attachment(spreadsheet.write_csv(head, cells), fmt, name)
    return listing.attachment(spreadsheet.write_xlsx(listing_name, head, cells), fmt, name)


@router.get("/ws/bodies/{body_id}/reports", response_class=HTMLResponse)
def reports(request: Request, body_id: str) -> Response:
    """The body's reporting downloads: its IAF CertSearch files and national reporting set."""
    who, body = _body(request, body_id)
    with services(request).engine.connect() as conn:
        total = views.count_certificates(conn, body_id)
    batches = certsearch.batch_count(total)
    return page(
        request,
        "ws/body/reports.html",
        200,
        who,
        TEXT,
        body=body,
        total=total,
        batches=batches,
        error=None,
    )


@router.get("/ws/bodies/{body_id}/reports/certsearch")
def certsearch_file(request: Request, body_id: str) -> Response:
    """One IAF CertSearch upload workbook (at most 1,000 certificates) of the body."""
    who, body = _body(request, body_id)
    with services(request).engine.connect() as conn:
        batches = certsearch.batch_count(views.count_certificates(conn, body_id))
        batch = listing.whole(request.query_params.get("batch", "1"), batches)
        if batch is None:
            return _refused(request, who, body, "reports.bad_batch")
        rows = views.certificate_rows(
            conn,
            body_id,
            offset=(batch - 1) * certsearch.BATCH_LIMIT,
            limit=certsearch.BATCH_LIMIT,
        )
        records = [certsearch.to_record(r, body) for r in rows]
    # The file names CertSearch suggests for an upload split into several files.
    return listing.attachment(certsearch.write_xlsx(records), "xlsx", f"{body_id}_certs_{batch}")


def _day(request: Request, name: str) -> date | str | None:
    text = request.query_params.get(name) or ""
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        return name


@router.get("/ws/bodies/{body_id}/reports/national")
def national_file(request: Request, body_id: str) -> Response:
    """The body's national reporting set for a period (inclusive), as one JSON document."""
    who, body = _body(request, body_id)
    start, end = _day(request, "from"), _day(request, "to")
    for value in (start, end):
        if isinstance(value, str):
            return _refused(request, who, body, "reports.bad_date", field=value)
    assert not isinstance(start, str) and not isinstance(end, str)
    if start and end and end < start:
        return _refused(request, who, body, "reports.bad_period")
    with services(request).engine.connect() as conn:
        doc = national.report(
            body,
            views.audit_rows(conn, body_id),
            views.finding_rows(conn, body_id),
            views.certificate_rows(conn, body_id),
            views.history_rows(conn, body_id),
            views.auditor_registrations(conn, body_id),
            start,
            end,
        )
    data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    name = f"{body_id}-national-{start or 'start'}-{end or _today()}.json"
    return Response(
        data,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
