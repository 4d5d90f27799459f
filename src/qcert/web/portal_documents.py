"""The organisation portal's documents: the list, the upload and the download.

Uploaded bytes are checked by their content (PDF, PNG, JPEG, UTF-8 text, or a Word or Excel
file checked as what it claims to be, with macros refused: ``qcert.lifecycle.office``), at
most 10 MiB, read with a cap, stored by their SHA-256 before the event commits, and served
back only as attachments of the type recorded at upload, never sniffed and never run.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..lifecycle import commands as c
from ..lifecycle.documents import MAX_DOCUMENT_BYTES, media_type_of
from ..lifecycle.office import OfficeRefused, office_type_of
from ..store import portal
from ..store.documents import DocumentMissing
from .portal_pages import Portal, Refusal, attachment, done_at, own_refusal, portal_of, render, run
from .render import PageNotFound, Viewer, capped_form, guard, require_csrf, services

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

# Multipart boundaries, part headers and the small fields on top of the file itself.
_MAX_BODY = MAX_DOCUMENT_BYTES + 64 * 1024
_own = own_refusal
_portal = portal_of
_render = render
_attachment = attachment


def _run(request: Request, who: Viewer, cmd: object) -> Refusal | None:
    return run(request, who, cmd)[0]


# -- documents ----------------------------------------------------------------


def _documents_page(
    request: Request,
    p: Portal,
    status: int = 200,
    error: Refusal | None = None,
    purpose: str = "",
    given_for: str = "",
    taken: dict[str, str] | None = None,
) -> HTMLResponse:
    with services(request).engine.connect() as conn:
        documents = portal.documents(conn, p.scope, p.client["id"])
        certifications = portal.certifications(conn, p.scope, p.client["id"])
    return _render(
        request,
        p,
        "ws/portal/documents.html",
        "documents",
        status,
        error,
        documents=documents,
        purpose=purpose,
        given_for=given_for,
        certifications=certifications,
        own=p.can_answer,
        max_mib=MAX_DOCUMENT_BYTES // (1024 * 1024),
        taken=taken or {},
    )


@router.get("/portal/{client_id}/documents", response_class=HTMLResponse)
def documents_page(request: Request, client_id: str) -> Response:
    """The organisation's documents (SHA-256, ledger index, proof) and the upload form."""
    return _documents_page(request, _portal(request, client_id))


async def _capped_form(request: Request) -> FormData | Refusal:
    """The multipart form, read with a cap: the parser itself would spool any size to disk."""
    form = await capped_form(request, _MAX_BODY, max_files=1, max_fields=8)
    if form == "too_big":
        return _own("upload.too_big", 413)
    if isinstance(form, str):
        return _own("upload.missing")
    return form


@router.post("/portal/{client_id}/documents")
async def upload(request: Request, client_id: str) -> Response:
    """Upload a document (multipart ``file`` and ``purpose``): stored by its SHA-256, recorded
    as ``client.document-uploaded``; 413 past 10 MiB, 422 for content of another type."""
    p = await run_in_threadpool(_portal, request, client_id)
    form = await _capped_form(request)
    if isinstance(form, Refusal):
        return await run_in_threadpool(_documents_page, request, p, form.status, form)
    require_csrf(request, form, p.who)
    purpose = str(form.get("purpose", ""))
    given_for = str(form.get("certification_id", ""))
    taken = {k: str(form.get(k) or "").strip() for k in _TAKEN}
    refused = await _upload(request, p, form, purpose, given_for or None, taken)
    if refused is not None:
        return await run_in_threadpool(
            _documents_page, request, p, refused.status, refused, purpose, given_for, taken
        )
    where = f"/portal/{quote(client_id, safe='')}/documents"
    name = form.get("file")
    ref = name.filename if isinstance(name, UploadFile) and name.filename else ""
    return RedirectResponse(done_at(where, "uploaded", ref), status_code=303)


_TAKEN = ("taken_at", "taken_lat", "taken_lon")
_CHINA = timezone(timedelta(hours=8))  # China Standard Time, the zone the form's time is in


def _taken(values: dict[str, str]) -> tuple[datetime | None, float | None, float | None]:
    """When and where a photo was taken, as the form gives them (all optional; the latitude
    and longitude together); ValueError when they cannot be."""
    at = datetime.fromisoformat(values["taken_at"]) if values["taken_at"] else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=_CHINA)
    lat, lon = values["taken_lat"], values["taken_lon"]
    if bool(lat) != bool(lon):
        raise ValueError("latitude and longitude go together")
    if not lat:
        return at, None, None
    found = float(lat), float(lon)
    if not (-90 <= found[0] <= 90 and -180 <= found[1] <= 180):
        raise ValueError("position out of range")
    return at, found[0], found[1]


async def _upload(
    request: Request,
    p: Portal,
    form: FormData,
    purpose: str,
    given_for: str | None,
    taken: dict[str, str],
) -> Refusal | None:
    try:
        at, lat, lon = _taken(taken)
    except ValueError:
        return _own("upload.taken")
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return _own("upload.missing")
    if given_for is None and not p.can_answer:
        return _own("upload.for")  # a body's staff give documents to a certification
    data = await file.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        return _own("upload.too_big", 413)
    if not data:
        return _own("upload.missing")
    media_type = media_type_of(data)
    if media_type is None:
        return _own(_why_refused(data))
    cmd = c.UploadDocument(
        p.client["id"],
        hashlib.sha256(data).hexdigest(),
        file.filename or "",
        media_type,
        len(data),
        purpose,
        p.who.account_id,
        given_for,
        taken_at=at,
        taken_lat=lat,
        taken_lon=lon,
        content=data,
    )
    # The bus checks the record, then stores the bytes, then commits the event: a refused
    # upload writes no file.
    return await run_in_threadpool(_run, request, p.who, cmd)


@router.get("/portal/{client_id}/documents/{sha256}")
def download(request: Request, client_id: str, sha256: str) -> Response:
    """A document's bytes, as an attachment of the media type recorded at upload."""
    p = _portal(request, client_id)
    with services(request).engine.connect() as conn:
        row = portal.document(conn, p.scope, p.client["id"], sha256)
    store = services(request).documents
    if row is None:
        raise PageNotFound
    try:
        data = store.read(sha256)
    except DocumentMissing:
        raise PageNotFound from None
    return Response(data, media_type=row["media_type"], headers=_attachment(row["filename"]))


def _why_refused(data: bytes) -> str:
    """The message key saying why content is refused: macros, a damaged or unsupported Office
    file, or a type not taken at all."""
    try:
        office_type_of(data)
    except OfficeRefused as err:
        return f"upload.{err.reason}"
    return "upload.kind"
