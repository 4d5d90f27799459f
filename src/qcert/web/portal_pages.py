"""The organisation portal: its audit plan, apply, answer findings by their deadlines, get
certificates (documents are in ``portal_documents``).

A thin face. Reads go through ``qcert.store.portal`` scoped by the viewer; changes are
commands, authorised for the viewer and handed to the bus. Every change ends in a redirect to
a page that says what happened (POST-redirect-GET, ``?done=``); a refused one shows the page
again with the refusal on top, where the browser moves the focus.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import schemes
from ..access import CLIENT_ROLES, Forbidden, Unauthenticated, read_scope
from ..errors import QcertError, chinese
from ..lifecycle import commands as c
from ..lifecycle.aggregate import invalid
from ..lifecycle.answer_deadline import answer_due
from ..schemes import RuleViolation, SchemeError
from ..store import portal
from ..store.scoping import visible
from .body_text import MESSAGES as BODY_MESSAGES
from .feedback_text import MESSAGES as FEEDBACK
from .i18n import lang_of
from .portal_text import MESSAGES as PORTAL_MESSAGES
from .render import (
    PageForbidden,
    PageNotFound,
    SignInRequired,
    Viewer,
    guard,
    page,
    require_csrf,
    services,
    viewer,
)

__all__ = [
    "MESSAGES",
    "Portal",
    "Refusal",
    "attachment",
    "done_at",
    "own_refusal",
    "portal_of",
    "render",
    "router",
    "run",
]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

# The portal's words: its own, the audit kinds as the schemes name them, and the plan's,
# deadlines' and confirmations' words.
MESSAGES: dict[str, tuple[str, str]] = {
    **{k: v for k, v in BODY_MESSAGES.items() if k.startswith("kind.")},
    **PORTAL_MESSAGES,
    **FEEDBACK,
}
# What a redirect after a change may say it did (``?done=<what>&ref=<which>``).
_DONE = ("applied", "answered", "uploaded")
_COMPLEXITY = ("high", "medium", "low", "limited")
_SECTIONS = (
    "overview",
    "plan",
    "apply",
    "findings",
    "documents",
    "certificates",
    "streams",
    "examination",
    "users",
)


@dataclass(frozen=True)
class Refusal:
    """Why a form was refused, in both languages, with the rule and its source when a rule
    refused it."""

    status: int
    rule: str
    source: str
    zh: str
    en: str
    # Its Chinese names fields and values in words already (an error that says itself in
    # Chinese): an id in it is one someone typed, shown as typed.
    worded: bool = False


@dataclass(frozen=True)
class Portal:
    """The viewer and the organisation they are looking at, with the bodies the organisation
    consented to filing applications for it."""

    who: Viewer
    client: dict[str, Any]
    consented: frozenset[str] = frozenset()

    def scope(self, table: Any) -> Any:
        return visible(read_scope(self.who.principal), table)

    @property
    def own(self) -> bool:
        """Whether the viewer is one of the organisation's users."""
        scope = f"client:{self.client['id']}"
        return any(self.who.principal.has(role, scope) for role in CLIENT_ROLES)

    @property
    def admin(self) -> bool:
        """Whether the viewer administers the organisation's users and consents."""
        return self.who.principal.has("client-admin", f"client:{self.client['id']}")

    @property
    def reviewing_for(self) -> set[str]:
        """Bodies whose application reviewer the viewer is and that the organisation
        consented to: those the viewer may file applications at for it."""
        return self.who.principal.scopes("body", "application-reviewer") & self.consented

    @property
    def can_apply(self) -> bool:
        """Applications come from the organisation's users, or from a body's application
        reviewers on the organisation's recorded consent."""
        return self.own or bool(self.reviewing_for)

    @property
    def can_answer(self) -> bool:
        return self.own


def _refusal(err: Exception) -> Refusal:
    """A refused command as a form error; a Forbidden one becomes the 403 page."""
    if isinstance(err, Forbidden):
        raise PageForbidden from err
    if isinstance(err, Unauthenticated):
        raise SignInRequired from err
    if isinstance(err, RuleViolation):
        status = 422 if err.rule == "input.invalid" else 409
        return Refusal(status, err.rule, err.source, err.zh, err.en)
    status = getattr(err, "status", 409)
    zh, en = MESSAGES["error.refused"]
    said = chinese(err)
    status = status if 400 <= status < 500 else 409
    return Refusal(status, "", "", zh + (said or str(err)), en + str(err), said is not None)


def own_refusal(key: str, status: int = 422) -> Refusal:
    """A refusal of the portal's own (the upload's size and type), naming the field."""
    zh, en = MESSAGES[key]
    return Refusal(status, "input.invalid", "qcert", zh, en)


def done_at(where: str, what: str, ref: str = "", anchor: str = "") -> str:
    """The address a change redirects to: ``where``, saying ``what`` was done to ``ref``."""
    query = f"?done={what}" + (f"&ref={quote(ref[:200], safe='')}" if ref else "")
    return where + query + (f"#{quote(anchor, safe='')}" if anchor else "")


def _flash(request: Request) -> tuple[str, str] | None:
    """What the redirect that led here says was done (a known key, a bounded reference)."""
    what = request.query_params.get("done", "")
    if what not in _DONE:
        return None
    return what, request.query_params.get("ref", "")[:200]


def portal_of(request: Request, client_id: str) -> Portal:
    """The viewer and the organisation, or the 403 page (404 for platform administrators,
    who may know which organisations exist)."""
    who = viewer(request)
    assert who is not None
    scope = partial(visible, read_scope(who.principal))
    with services(request).engine.connect() as conn:
        if not portal.visible_client(conn, scope, client_id):
            raise PageNotFound if who.principal.platform else PageForbidden
        client = portal.client(conn, client_id)
        consented = portal.consents(conn, client_id)
    assert client is not None
    return Portal(who, client, frozenset(c["body_id"] for c in consented))


_portal = portal_of


def render(
    request: Request,
    p: Portal,
    template: str,
    section: str,
    status: int = 200,
    error: Refusal | None = None,
    messages: dict[str, tuple[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    client = p.client
    name = client["name_en"] if lang_of(request) == "en" and client["name_en"] else None
    return page(
        request,
        template,
        status,
        p.who,
        {**MESSAGES, **(messages or {})},
        flash=None if error else _flash(request),
        client=client,
        client_name=name or client["name_zh"],
        section=section,
        sections=[s for s in _SECTIONS if _shown(s, p)],
        error=error,
        **context,
    )


def _shown(section: str, p: Portal) -> bool:
    if section == "apply":
        return p.can_apply
    if section == "users":
        return p.own
    return True


_render = render


def run(request: Request, who: Viewer, cmd: Any) -> tuple[Refusal | None, dict[str, Any]]:
    """Hand ``cmd`` to the bus as the viewer (the bus authorises it); the refusal, if any,
    and what the command gave back."""
    try:
        outcome = services(request).bus.handle(cmd, who.principal)
    except (SchemeError, QcertError) as err:
        return _refusal(err), {}
    return None, outcome.reply


def _run(request: Request, who: Viewer, cmd: Any) -> Refusal | None:
    return run(request, who, cmd)[0]


def attachment(filename: str) -> dict[str, str]:
    """Headers that make a download a download: named, typed as recorded, never sniffed,
    never run as a page."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "download"
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store",
    }


# -- overview -----------------------------------------------------------------


@router.get("/portal/{client_id}", response_class=HTMLResponse)
def overview(request: Request, client_id: str) -> Response:
    """The organisation: its record and sites, certifications by stage, certificates with
    their status, open findings and the newest documents."""
    p = _portal(request, client_id)
    with services(request).engine.connect() as conn:
        certifications = portal.certifications(conn, p.scope, client_id)
        certificates = portal.certificates(conn, p.scope, client_id)
        findings = portal.findings(conn, p.scope, client_id)
        documents = portal.documents(conn, p.scope, client_id)
    return _render(
        request,
        p,
        "ws/portal/overview.html",
        "overview",
        certifications=certifications,
        certificates=certificates,
        open_findings=[f for f in findings if f["status"] != "closed"],
        documents=documents[:5],
        titles=_scheme_titles(),
    )


def _scheme_titles() -> dict[str, tuple[str, str]]:
    return {s.id: (s.title.zh, s.title.en) for s in schemes.bundled().values()}


# -- the audit plan -----------------------------------------------------------


@router.get("/portal/{client_id}/plan", response_class=HTMLResponse)
def plan(request: Request, client_id: str) -> Response:
    """The organisation's audits as planned by its bodies: kind, dates, days and team, those
    to come or running first, then those done."""
    p = _portal(request, client_id)
    with services(request).engine.connect() as conn:
        audits = portal.audits(conn, p.scope, client_id)
        certifications = {c["id"]: c for c in portal.certifications(conn, p.scope, client_id)}
    return _render(
        request,
        p,
        "ws/portal/plan.html",
        "plan",
        upcoming=[a for a in audits if a["last_day"] is None],
        past=[a for a in reversed(audits) if a["last_day"] is not None],
        certifications=certifications,
        titles=_scheme_titles(),
        today=datetime.now(UTC).date().isoformat(),
        kinds={k for k in MESSAGES if k.startswith("kind.")},
        roles={k for k in MESSAGES if k.startswith("role.")},
    )


# -- applying -----------------------------------------------------------------


def _apply_page(
    request: Request,
    p: Portal,
    values: dict[str, Any],
    status: int = 200,
    error: Refusal | None = None,
) -> HTMLResponse:
    with services(request).engine.connect() as conn:
        bodies = portal.bodies(conn, None if p.own else p.reviewing_for)
    return _render(
        request,
        p,
        "ws/portal/apply.html",
        "apply",
        status,
        error,
        bodies=bodies,
        schemes=sorted(_scheme_titles().items()),
        sectors=sorted(schemes.sectors().values(), key=lambda s: s.code),
        complexities=_COMPLEXITY,
        values=values,
    )


@router.get("/portal/{client_id}/apply", response_class=HTMLResponse)
def apply_form(request: Request, client_id: str) -> Response:
    """The application form: body, scheme, IAF sectors, sites, complexity."""
    p = _portal(request, client_id)
    if not p.can_apply:
        raise PageForbidden
    values = {"body_id": "", "scheme_id": "", "sectors": [], "sites": [], "complexity": ""}
    return _apply_page(request, p, values)


def _apply_values(form: FormData) -> dict[str, Any]:
    """The application form's values, kept as typed so a refused form shows them again."""
    return {
        "body_id": str(form.get("body_id", "")),
        "scheme_id": str(form.get("scheme_id", "")),
        "sectors": [str(s) for s in form.getlist("sectors")],
        "sites": [str(s) for s in form.getlist("sites")],
        "complexity": str(form.get("complexity", "")),
    }


def _application(client_id: str, values: dict[str, Any]) -> c.ApplyForCertification:
    """The command the application form's values make."""
    # ASCII digits, at most two ("²" is a digit to str.isdigit, and int() refuses it)
    if not all(s.isascii() and s.isdigit() and len(s) <= 2 for s in values["sectors"]):
        raise invalid("sectors", "sectors.codes")
    if values["complexity"] not in ("", *_COMPLEXITY):
        # The zh-CN form names the levels 高、中、低、有限, so the message does too.
        raise invalid("complexity", "complexity.level")
    # An id the organisation can quote: its own id, the day, and a random part.
    day = datetime.now(UTC).strftime("%Y%m%d")
    return c.ApplyForCertification(
        f"{client_id[:44]}-{day}-{secrets.token_hex(3)}",
        values["body_id"],
        client_id,
        values["scheme_id"],
        [int(s) for s in values["sectors"]],
        values["sites"],
        values["complexity"] or None,
    )


@router.post("/portal/{client_id}/apply")
async def apply(request: Request, client_id: str) -> Response:
    """Submit an application (ApplyForCertification); back to the overview, or the form
    with the rule that refused it."""
    form = await request.form(max_files=0, max_fields=128)
    p = await run_in_threadpool(_portal, request, client_id)
    require_csrf(request, form, p.who)
    if not p.can_apply:
        raise PageForbidden
    values = _apply_values(form)
    try:
        cmd = _application(client_id, values)
    except RuleViolation as err:
        return await run_in_threadpool(_apply_page, request, p, values, 422, _refusal(err))
    refused = await run_in_threadpool(_run, request, p.who, cmd)
    if refused is not None:
        return await run_in_threadpool(_apply_page, request, p, values, refused.status, refused)
    where = f"/portal/{quote(client_id, safe='')}"
    target = done_at(
        where, "applied", cmd.certification_id, f"certification-{cmd.certification_id}"
    )
    return RedirectResponse(target, status_code=303)


# -- findings -----------------------------------------------------------------


def _findings_page(
    request: Request,
    p: Portal,
    status: int = 200,
    error: Refusal | None = None,
    answering: tuple[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    with services(request).engine.connect() as conn:
        findings = portal.findings(conn, p.scope, p.client["id"])
    return _render(
        request,
        p,
        "ws/portal/findings.html",
        "findings",
        status,
        error,
        findings=[_with_deadline(f) for f in findings],
        can_answer=p.can_answer,
        answering=answering,
        values=values or {},
    )


def _with_deadline(finding: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """A finding with the day its answer is due and the days left (negative: overdue), while
    an answer is still awaited (ISO/IEC 17021-1:2015, 9.4.9)."""
    due = None
    if finding["status"] == "open" and finding.get("audit_end"):
        due = answer_due(finding["grade"], finding.get("last_day"), finding["audit_end"])
    left = (due - (today or datetime.now(UTC).date())).days if due else None
    return {**finding, "due": due.isoformat() if due else None, "days_left": left}


@router.get("/portal/{client_id}/findings", response_class=HTMLResponse)
def findings_page(request: Request, client_id: str) -> Response:
    """Findings of the organisation's audits, each open nonconformity with its answer form."""
    return _findings_page(request, _portal(request, client_id))


@router.post("/portal/{client_id}/findings/{certification_id}/{finding_id}/answer")
async def answer(
    request: Request, client_id: str, certification_id: str, finding_id: str
) -> Response:
    """Answer a finding (AnswerFinding: correction, root cause, corrective action)."""
    form = await request.form(max_files=0, max_fields=8)
    p = await run_in_threadpool(_portal, request, client_id)
    require_csrf(request, form, p.who)

    def ours() -> bool:
        with services(request).engine.connect() as conn:
            found = portal.findings(conn, p.scope, client_id)
        return any(
            f["certification_id"] == certification_id and f["finding_id"] == finding_id
            for f in found
        )

    if not await run_in_threadpool(ours):
        raise PageNotFound
    values = {k: str(form.get(k, "")) for k in ("correction", "cause", "action")}
    cmd = c.AnswerFinding(certification_id, finding_id, **values)
    refused = await run_in_threadpool(_run, request, p.who, cmd)
    if refused is not None:
        key = (certification_id, finding_id)
        return await run_in_threadpool(
            _findings_page, request, p, refused.status, refused, key, values
        )
    where = f"/portal/{quote(client_id, safe='')}/findings"
    ref = f"{certification_id} · {finding_id}"
    anchor = f"finding-{certification_id}-{finding_id}"
    return RedirectResponse(done_at(where, "answered", ref, anchor), status_code=303)


# -- certificates -------------------------------------------------------------


@router.get("/portal/{client_id}/certificates", response_class=HTMLResponse)
def certificates_page(request: Request, client_id: str) -> Response:
    """The organisation's certificates, with the PDF and the newest signed credential."""
    p = _portal(request, client_id)
    with services(request).engine.connect() as conn:
        certificates = portal.certificates(conn, p.scope, client_id)
    return _render(
        request,
        p,
        "ws/portal/certificates.html",
        "certificates",
        certificates=certificates,
        titles=_scheme_titles(),
    )


@router.get("/portal/{client_id}/certificates/{number}/credential")
def credential(request: Request, client_id: str, number: str) -> Response:
    """The certificate's newest signed credential: its ledger entry's bytes, unchanged."""
    p = _portal(request, client_id)
    with services(request).engine.connect() as conn:
        found = portal.certificate(conn, p.scope, client_id, number)
    if found is None or found["credential_index"] is None:
        raise PageNotFound
    data = services(request).ledger.entry(found["credential_index"])
    headers = attachment(f"{number}.credential.json")
    headers["X-Ledger-Index"] = str(found["credential_index"])
    return Response(data, media_type="application/vc+ld+json", headers=headers)
