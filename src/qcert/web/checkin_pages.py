"""The auditor's phone check-in page (policy article (三): on-site audit check-ins with time
and place, 国认监〔2021〕3号): an auditor on the audit's team opens it on site, the browser
gives the position (W3C Geolocation API, with its accuracy), a photo is taken with the rear
camera, and the check-in (or check-out) goes through the bus as ``CheckIn``, the photo stored
by its SHA-256 and bound to the event by SHA-256 and SM3. The time is the server's.

Only the audit's team sees the page: another auditor of the body, another body's staff, an
organisation's users get the 403 page, and anonymous visitors the sign-in page. There is no
typed-in position here: a check-in without the device's position is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..access import Forbidden
from ..errors import QcertError
from ..lifecycle.documents import MAX_DOCUMENT_BYTES
from ..schemes import RuleViolation, SchemeError
from ..store.certification_record import certification_record
from ..store.views import body_row
from .body_forms import build
from .body_text import MESSAGES as BODY
from .checkin_text import MESSAGES as PHONE
from .i18n import lang_of
from .render import (
    PageForbidden,
    PageNotFound,
    Viewer,
    capped_form,
    guard,
    page,
    require_csrf,
    services,
    viewer,
)

__all__ = ["PATH", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
PATH = "/ws/bodies/{body_id}/certifications/{cid}/audits/{audit_id}/check-in"
TEXT = {**BODY, **PHONE}
# The photo, the multipart boundaries and headers, and the few small fields beside it.
_MAX_BODY = MAX_DOCUMENT_BYTES + 64 * 1024


@dataclasses.dataclass(frozen=True)
class _Audit:
    who: Viewer
    body: dict[str, Any]
    record: dict[str, Any]
    audit: dict[str, Any]


def _team_audit(request: Request, body_id: str, cid: str, audit_id: str) -> _Audit:
    """The viewer, body, certification and audit; the 404 page if there is no such audit at
    this body, the 403 page unless the viewer is on the audit's team (ISO/IEC 17021-1:2015
    9.2.2: the audit team the body appointed; the command's rule says the same)."""
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = body_row(conn, body_id)
        record = certification_record(conn, body_id, cid) if body is not None else None
    if record is None:
        raise PageNotFound
    audit = next((a for a in record["audits"] if a["audit_id"] == audit_id), None)
    if audit is None:
        raise PageNotFound
    if who.account_id not in {m["auditor"] for m in audit["team"]}:
        raise PageForbidden
    return _Audit(who, body, record, audit)


def _render(
    request: Request, found: _Audit, status: int = 200, error: dict[str, str] | None = None
) -> HTMLResponse:
    audit, me = found.audit, found.who.account_id
    mine = [p for p in audit["presence"] if p["auditor"] == me]
    sites = {s["id"]: s for s in (found.record.get("client") or {}).get("sites", [])}
    return page(
        request,
        "ws/body/check_in.html",
        status,
        found.who,
        TEXT,
        body=found.body,
        record=found.record,
        audit=audit,
        sites=[sites[s] for s in audit["sites"] if s in sites],
        mine=mine,
        # Out once in: the next press is most likely the closing meeting's.
        direction="out" if any(not p["out"] for p in mine) else "in",
        ended=audit["last_day"] is not None,
        error=error,
    )


@router.get(PATH, response_class=HTMLResponse)
def check_in_page(request: Request, body_id: str, cid: str, audit_id: str) -> Response:
    """The phone check-in page of one audit, for the members of its team."""
    return _render(request, _team_audit(request, body_id, cid, audit_id))


def _message(key: str, lang: str) -> dict[str, str]:
    zh, en = TEXT[key]
    return {"rule": "input.invalid", "source": "qcert", "message": zh if lang == "zh-CN" else en}


def _refusal(err: Exception, lang: str) -> tuple[int, dict[str, str]]:
    """The status and what the page says of a refused command, in the viewer's language."""
    if isinstance(err, RuleViolation):
        status = 422 if err.rule == "input.invalid" else 409
        message = err.zh if lang == "zh-CN" else err.en
        # The lifecycle's refusals name fields and values in words already (``worded``).
        said = {"rule": err.rule, "source": err.source, "message": message, "worded": "yes"}
        return status, said
    return int(getattr(err, "status", 422)), {
        "rule": type(err).__name__,
        "source": "qcert",
        "message": str(err),
    }


@router.post(PATH)
async def check_in(request: Request, body_id: str, cid: str, audit_id: str) -> Response:
    """Record the check-in (or out) the phone sent: position, accuracy and photo (multipart
    ``photo``, ≤ 10 MiB); back to the certification's timeline once recorded."""
    found = await run_in_threadpool(_team_audit, request, body_id, cid, audit_id)
    lang = lang_of(request)
    form = await capped_form(request, _MAX_BODY, max_files=1, max_fields=8)
    if isinstance(form, str):
        key, status = ("phone.too_big", 413) if form == "too_big" else ("phone.need_photo", 422)
        return await run_in_threadpool(_render, request, found, status, _message(key, lang))
    require_csrf(request, form, found.who)
    photo = form.get("photo")
    data = await photo.read(MAX_DOCUMENT_BYTES + 1) if isinstance(photo, UploadFile) else b""
    return await run_in_threadpool(_record, request, found, form, data)


def _record(request: Request, found: _Audit, form: FormData, data: bytes) -> Response:
    lang = lang_of(request)
    problem = _problem(form, data)
    if problem is not None:
        status = 413 if problem == "phone.too_big" else 422
        return _render(request, found, status, _message(problem, lang))
    values = {
        "audit_id": found.audit["audit_id"],
        "direction": form.get("direction"),
        "lat": form.get("lat"),
        "lon": form.get("lon"),
    }
    try:
        accuracy = _accuracy(form.get("accuracy_m"))
    except ValueError:
        return _render(request, found, 422, _message("phone.accuracy_bad", lang))
    try:
        command = dataclasses.replace(
            build("check-in", values, found.who.account_id, found.record["id"]),
            accuracy_m=accuracy,
            photo_sha256=hashlib.sha256(data).hexdigest(),
            photo_sm3=hashlib.new("sm3", data).hexdigest(),
            photo=data,
        )
        services(request).bus.handle(command, found.who.principal)
    except Forbidden:
        raise PageForbidden from None
    except (SchemeError, QcertError) as err:
        status, error = _refusal(err, lang)
        return _render(request, found, status, error)
    target = "/ws/bodies/{}/certifications/{}".format(
        quote(found.body["id"], safe=""), quote(found.record["id"], safe="")
    )
    return RedirectResponse(f"{target}?done=check-in#audits", status_code=303)


def _problem(form: FormData, data: bytes) -> str | None:
    """What the page refuses before the command is built: no position, no photo, too big."""
    if not str(form.get("lat") or "").strip() or not str(form.get("lon") or "").strip():
        return "phone.need_position"
    if not data:
        return "phone.need_photo"
    if len(data) > MAX_DOCUMENT_BYTES:
        return "phone.too_big"
    return None


def _accuracy(text: Any) -> float | None:
    """The position's stated accuracy in metres (0 to 100 km), or None when not given;
    ValueError otherwise."""
    value = str(text or "").strip()
    if not value:
        return None
    metres = float(value)
    if not (math.isfinite(metres) and 0 <= metres <= 100_000):
        raise ValueError(value)
    return metres
