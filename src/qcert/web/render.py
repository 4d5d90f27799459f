"""Rendering workspace pages: one Jinja2 environment, the viewer, and the page-level errors.

Pages know their viewer (session + principal), their language and the CSRF token, so
templates can show role-aware navigation and forms that carry the token. Errors that a
page handler raises (sign-in required, forbidden, not found, a refused form) are turned
into HTML pages by the handlers ``install`` registers, never into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..access import ANONYMOUS, Forbidden, Principal, Unauthenticated, decide
from . import session as sessions
from .directory_text import NAV
from .i18n import LANGS, lang_of, translator
from .search_text import MESSAGES as NAV_TEXT
from .words import install as install_words
from .words import viewer_zone

__all__ = [
    "HEADERS",
    "PageForbidden",
    "PageNotFound",
    "SignInRequired",
    "Viewer",
    "capped_form",
    "env",
    "guard",
    "may_see",
    "page",
    "require_csrf",
    "services",
    "viewer",
]

# Scripts and styles from this origin only (the chart library is served by the app).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

env = jinja2.Environment(
    loader=jinja2.PackageLoader("qcert.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["segment"] = lambda value: quote(str(value), safe="")
# The body's navigation (search box, reports link) on every body page, whatever catalogue
# the page itself was given.
env.globals["nav_text"] = NAV_TEXT


def may_see(who: Viewer | None, route: str, **params: str) -> bool:
    """Whether the access policy lets ``who`` open ``route`` (``"GET /path/{template}"``) with
    these path parameters: pages show a link only to those who may follow it."""
    try:
        decide(who.principal if who else ANONYMOUS, route, params)
    except (Forbidden, Unauthenticated):
        return False
    return True


install_words(env)  # when, scheme, source, plain: times, schemes and ids as people read them


class SignInRequired(Exception):
    """The page needs a signed-in viewer."""


class PageForbidden(Exception):
    """The viewer's roles do not allow this page or record (a 403 page, never the data)."""


class PageNotFound(Exception):
    """No such record (or none the viewer may know of)."""


@dataclass(frozen=True)
class Viewer:
    session: sessions.Session

    @property
    def principal(self) -> Principal:
        return self.session.principal

    @property
    def account_id(self) -> str:
        return self.session.account_id


env.globals["may_see"] = may_see


def services(request: Request) -> Any:
    """The installation's services (``qcert.bootstrap.Services``), wired once at start."""
    return request.app.state.services


def viewer(request: Request, required: bool = True) -> Viewer | None:
    """The signed-in viewer of ``request``, read once per request; SignInRequired (or None)
    when there is none."""
    if "qcert_viewer" not in request.scope:
        found = sessions.read(request, services(request).identity)
        request.scope["qcert_viewer"] = Viewer(found) if found is not None else None
    who: Viewer | None = request.scope["qcert_viewer"]
    if who is None and required:
        raise SignInRequired
    return who


async def guard(request: Request) -> None:
    """Ask the access policy about this page for its viewer: the sign-in page for nobody
    where a sign-in is needed, the 403 page for the wrong person. (A coroutine: a visitor
    without a session cookie costs no trip through the thread pool.)"""
    if sessions.COOKIE in request.cookies:
        who = await run_in_threadpool(viewer, request, False)
    else:
        request.scope["qcert_viewer"] = who = None
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    params = {**request.query_params, **request.path_params}
    try:
        decide(who.principal if who else ANONYMOUS, f"{request.method} {path}", params)
    except Unauthenticated:
        raise SignInRequired from None
    except Forbidden:
        raise PageForbidden from None


def require_csrf(request: Request, form: Any, who: Viewer | None) -> None:
    """Refuse (PageForbidden with the CSRF message) a form without the right token."""
    expected = who.session.csrf if who else request.cookies.get(sessions.PRE_COOKIE)
    if not sessions.csrf_matches(expected, form.get("csrf")):
        raise CsrfRefused


class CsrfRefused(PageForbidden):
    """A form posted without this session's CSRF token."""


async def capped_form(
    request: Request, limit: int, max_files: int, max_fields: int
) -> FormData | str:
    """The multipart form, read with a cap of ``limit`` bytes (the parser itself would spool
    any size to disk): the form, or ``"too_big"`` past the cap, ``"missing"`` if unreadable."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return "too_big"
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return "too_big"

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=max_files, max_fields=max_fields)
    except (HTTPException, MultiPartException):
        return "missing"


def page(
    request: Request,
    template: str,
    status: int = 200,
    who: Viewer | None = None,
    messages: dict[str, tuple[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``request`` in the viewer's language."""
    lang = lang_of(request)
    html = env.get_template(template).render(
        request_path=request.url.path,
        lang=lang,
        tz=viewer_zone(request),
        other_lang=LANGS[1 - LANGS.index(lang)],
        # The body navigation's links are on pages of several modules, each its own catalogue.
        t=translator(lang, {**NAV, **(messages or {})}),
        who=who,
        csrf=who.session.csrf if who else "",
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
