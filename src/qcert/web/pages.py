"""The public verification pages: search, certificate (the QR landing page), credential upload.

A thin face over qcert.credentials.lookup: every page shows what the JSON API
under /public shows, rendered in zh-CN and en side by side. The pages load
nothing from elsewhere (one stylesheet from this app, no scripts), so they
work offline; bad input is a bilingual error page with a 4xx status.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ..credentials import lookup
from ..exchange import spreadsheet
from ..lifecycle.inputs import has_controls
from .labels import EVENTS, STATUSES
from .public_text import MESSAGES as WORDS
from .render import guard, services
from .search_text import PUBLIC
from .words import install as install_words
from .words import scheme_label, viewer_zone

__all__ = ["MAX_UPLOAD", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

MAX_UPLOAD = 256 * 1024  # bytes: a credential is a few KiB; anything larger is not one
# Multipart boundaries and part headers on top of the file itself.
_MAX_BODY = MAX_UPLOAD + 16 * 1024
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

# No scripts at all, and nothing from another origin.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("qcert.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["segment"] = lambda value: quote(str(value), safe="")
install_words(_env)
_env.globals |= {
    "STATUSES": STATUSES,
    "EVENTS": EVENTS,
    "MAX_UPLOAD_KIB": MAX_UPLOAD // 1024,
    "PUBLIC": PUBLIC,
    "WORDS": WORDS,
}
_CSS = files("qcert.web").joinpath("static/verify.css").read_bytes()


@dataclass(frozen=True)
class PageError:
    """Bad input, said in both languages and naming the field."""

    status: int
    field: str
    zh: str
    en: str


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _error(err: PageError, q: str = "") -> HTMLResponse:
    return _page("verify.html", err.status, error=err, q=q, results=None)


def _today() -> date:
    return datetime.now(UTC).date()


@router.get("/verify/style.css")
def stylesheet() -> Response:
    """The pages' one stylesheet, served here so nothing is fetched from elsewhere."""
    return Response(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _query(request: Request, q: str | None) -> tuple[str, int] | PageError | None:
    """The search and page asked for, bounded before use; None when nothing was asked."""
    if q is None or not q.strip():
        return None
    q = q.strip()
    if not 2 <= len(q) <= 100:
        return PageError(422, "q", *WORDS["public.error.q_length"])
    if has_controls(q):
        return PageError(422, "q", *PUBLIC["bad_chars"])
    number = request.query_params.get("page", "1")
    if not (number.isascii() and number.isdigit() and len(number) <= 6):
        number = "0"
    if not 1 <= int(number) <= lookup.MAX_PAGE:
        zh, en = (text.format(max=lookup.MAX_PAGE) for text in PUBLIC["bad_page"])
        return PageError(422, "page", zh, en)
    return q, int(number)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, q: str | None = None) -> HTMLResponse:
    """The verification page: search by number, organisation name or credit code; with ``q``,
    the certificates found (confidential clients: by number only), a page at a time."""
    asked = _query(request, q)
    if asked is None:
        return _page("verify.html", q="", results=None, error=None)
    if isinstance(asked, PageError):
        return _error(asked, q=(q or "").strip()[:100])
    text, number = asked
    with services(request).engine.connect() as conn:
        results = lookup.search(conn, text, _today(), number, lookup.PAGE_SIZE)
    pages = max(1, -(-results["total"] // results["size"]))
    return _page(
        "verify.html",
        q=text,
        results=results["items"],
        error=None,
        found=results,
        pages=pages,
        query=lambda **more: urlencode({"q": text, **more}),
    )


PUBLIC_EXPORT_MAX = 1_000  # rows of a public download: wider searches are narrowed first


@router.get("/verify/export")
def verify_export(request: Request, q: str | None = None) -> Response:
    """The public search's results, every page of them (at most PUBLIC_EXPORT_MAX), as xlsx
    or CSV: what the page shows, nothing more of a confidential client."""
    asked = _query(request, q)
    if asked is None:
        asked = PageError(422, "q", *WORDS["public.error.q_length"])
    if isinstance(asked, PageError):
        return _error(asked, q=(q or "").strip()[:100])
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in spreadsheet.FORMATS:
        zh, en = PUBLIC["bad_format"]
        return _error(PageError(422, "format", zh, en), q=asked[0])
    with services(request).engine.connect() as conn:
        results = lookup.search(conn, asked[0], _today(), 1, PUBLIC_EXPORT_MAX + 1)
    if results["total"] > PUBLIC_EXPORT_MAX:
        zh, en = PUBLIC["too_many"]
        limit = f"{PUBLIC_EXPORT_MAX:,}"
        return _error(PageError(422, "q", zh.format(max=limit), en.format(max=limit)), q=asked[0])
    columns = ("number", "verdict", "organisation", "organisation_en", "scheme", "body", "expiry")
    head = [" / ".join(PUBLIC[f"col.{c}"]) for c in columns]
    rows = [
        [
            item["number"],
            f"{item['verdict']['zh-CN']} / {item['verdict']['en']}",
            item["organisation"]["zh-CN"],
            item["organisation"]["en"],
            scheme_label(item["scheme"]),
            item["body"]["name"]["zh-CN"],
            item["expiry_date"],
        ]
        for item in results["items"]
    ]
    data = (
        spreadsheet.write_csv(head, rows)
        if fmt == "csv"
        else spreadsheet.write_xlsx("certificates", head, rows)
    )
    return Response(
        data,
        media_type=spreadsheet.FORMATS[fmt],
        headers={
            **_HEADERS,
            "Content-Disposition": f'attachment; filename="certificates-{_today()}.{fmt}"',
        },
    )


@router.get("/v/{number}", response_class=HTMLResponse)
async def certificate_page(
    request: Request, number: str, sha256: str | None = None
) -> HTMLResponse:
    """A certificate and its verdict; the QR landing page. With ``sha256`` (64 hex digits, the
    credential's hash) the page also says whether the platform issued that credential.

    Rendered pages are kept while the store is unchanged (a printed QR code is scanned
    again and again), like the JSON answers."""
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        return _error(PageError(400, "sha256", *WORDS["public.error.sha256"]))
    if len(number) > 64:
        return _error(PageError(404, "number", *WORDS["public.error.number"]))
    today = _today()
    cache = services(request).answers
    version = cache.version()
    zone = viewer_zone(request)
    key = ("page", number, sha256, today, zone)  # the page shows times in the viewer's zone
    cached = cache.get(key, version)
    if cached is not None:
        status = int.from_bytes(cached[:2], "big")
        return HTMLResponse(cached[2:], status_code=status, headers=_HEADERS)

    def render() -> HTMLResponse:
        with services(request).engine.connect() as conn:
            if sha256 is None:
                answer = lookup.certificate(conn, number, today)
            else:
                answer = lookup.scanned(conn, number, sha256, today)
        status = 404 if answer["verdict"]["code"] == "unknown" else 200
        return _page("certificate.html", status, answer=answer, uploaded=False, tz=zone)

    response = await run_in_threadpool(render)
    cache.put(key, version, response.status_code.to_bytes(2, "big") + bytes(response.body))
    return response


async def _uploaded_bytes(request: Request) -> bytes | PageError:
    zh, en = (text.format(kib=MAX_UPLOAD // 1024) for text in WORDS["public.error.too_big"])
    too_big = PageError(413, "credential", zh, en)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _MAX_BODY:
        return too_big
    # Read the body with a cap ourselves: the form parser would spool any size to disk.
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            return too_big

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    missing = PageError(400, "credential", *WORDS["public.error.no_file"])
    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=2)
    except (HTTPException, MultiPartException):
        return missing
    upload = form.get("credential")
    if not isinstance(upload, UploadFile):
        return missing
    data = await upload.read(MAX_UPLOAD + 1)
    return too_big if len(data) > MAX_UPLOAD else data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _credential(data: bytes) -> dict[str, Any] | PageError:
    try:
        credential = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return PageError(400, "credential", *WORDS["public.error.not_json"])
    if lookup.json_depth(credential) > 32:
        return PageError(400, "credential", *WORDS["public.error.too_deep"])
    if not isinstance(credential, dict):
        return PageError(400, "credential", *WORDS["public.error.not_object"])
    return credential


@router.post("/verify/upload", response_class=HTMLResponse)
async def upload_page(request: Request) -> HTMLResponse:
    """The verdict for an uploaded credential file (multipart field ``credential``, at most
    256 KiB of JSON): signature, issuer, and the certificate's status now."""
    data = await _uploaded_bytes(request)
    if isinstance(data, PageError):
        return _error(data)
    credential = _credential(data)
    if isinstance(credential, PageError):
        return _error(credential)

    def check() -> dict[str, Any]:
        svc = services(request)
        with svc.engine.connect() as conn:
            return lookup.verify_upload(conn, credential, datetime.now(UTC), svc.public_host)

    answer = await run_in_threadpool(check)
    return _page("certificate.html", answer=answer, uploaded=True, tz=viewer_zone(request))
