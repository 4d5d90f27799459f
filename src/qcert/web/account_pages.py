"""Signing in and out, the language switch, and the workspace landing page."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import security
from ..api.principal import visible
from ..store import tables as t
from ..store.secrets import password_hash
from . import session as sessions
from .i18n import LANG_COOKIE, LANGS
from .render import page, require_csrf, viewer

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: object) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/workspace"


def _signin_page(
    request: Request, next: str, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    token = sessions.pre_token(request)
    response = page(
        request,
        "ws/signin.html",
        status,
        pre=token,
        next=_safe_next(next),
        error=error,
        username=username,
    )
    sessions.set_pre(response, token)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str = "/workspace") -> Response:
    """The sign-in form (its CSRF token is a double-submit cookie: there is no session yet)."""
    return _signin_page(request, next)


@router.post("/signin")
async def signin(request: Request) -> Response:
    """Check the password (rate-limited per account), then start a session."""
    form = await request.form(max_files=0, max_fields=8)
    require_csrf(request, form, None)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _safe_next(form.get("next"))
    if not username or not password or len(username) > 64 or len(password) > 1024:
        return _signin_page(request, target, "signin.missing", username[:64], 422)
    state = request.app.state
    with state.engine.connect() as conn:
        stored = password_hash(conn, username)
    try:
        security.sign_in(state.limiter, username, password, stored)
    except security.TooManyAttempts:
        return _signin_page(request, target, "signin.throttled", username, 429)
    except security.AuthError:
        return _signin_page(request, target, "signin.failed", username, 401)
    response = RedirectResponse(target, status_code=303)
    sessions.start(response, state.signer.secret, username)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session (a form with the session's CSRF token)."""
    who = viewer(request, required=False)
    form = await request.form(max_files=0, max_fields=4)
    if who is not None:
        require_csrf(request, form, who)
    response = RedirectResponse("/signin", status_code=303)
    sessions.end(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/workspace") -> Response:
    """Remember the chosen language (zh-CN or en) and go back to the page."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", secure=True
        )
    return response


@router.get("/workspace", response_class=HTMLResponse)
def workspace(request: Request) -> Response:
    """Where a signed-in user starts: their roles, and the bodies and organisations they see."""
    who = viewer(request)
    assert who is not None
    with request.app.state.engine.connect() as conn:
        bodies = conn.execute(
            sa.select(t.bodies.c.id, t.bodies.c.name_zh, t.bodies.c.name_en)
            .where(visible(who.principal, t.bodies))
            .order_by(t.bodies.c.id)
        ).all()
        clients = conn.execute(
            sa.select(t.clients.c.id, t.clients.c.name_zh, t.clients.c.name_en)
            .where(t.clients.c.id.in_(who.principal.scopes("client")))
            .order_by(t.clients.c.id)
        ).all()
    roles = sorted(who.principal.roles)
    return page(request, "ws/home.html", who=who, roles=roles, bodies=bodies, clients=clients)
