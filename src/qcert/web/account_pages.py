"""Signing in and out, one's account (password, sign-out everywhere), joining an organisation
by invitation, the language switch, and the workspace landing page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import security
from ..access import ANONYMOUS, Forbidden, Principal, Unauthenticated, decide, read_scope
from ..errors import QcertError
from ..lifecycle import commands as c
from ..lifecycle.accounts import ROLES
from ..locale.names import MESSAGES as NAMES
from ..schemes import RuleViolation, SchemeError
from ..store import portal
from . import session as sessions
from .feedback_text import HOME_MESSAGES
from .i18n import LANG_COOKIE, LANGS, lang_of, translator
from .render import Viewer, guard, page, require_csrf, services, viewer
from .words import TZ_COOKIE, viewer_zone, zone_named
from .words_text import MESSAGES as WORDS

__all__ = ["landing", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])


def _safe_next(target: object) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/workspace"


def landing(principal: Principal) -> str:
    """The user's main page: the hub's cockpit for a regulator, the body's dashboard for a
    body's staff, the portal for an organisation's user, when the one access policy lets them
    see it and it is the only one of its kind; otherwise the workspace's list of them all."""
    bodies, clients = principal.scopes("body"), principal.scopes("client")
    places: list[tuple[str, str, dict[str, str]]] = []
    if principal.scopes("region", "regulator"):
        places.append(("/hub", "GET /hub", {}))
    if len(bodies) == 1:
        [body] = bodies
        places.append((f"/ws/bodies/{quote(body, safe='')}", _BODY_PAGE, {"body_id": body}))
    if len(clients) == 1:
        [client] = clients
        places.append((f"/portal/{quote(client, safe='')}", _PORTAL, {"client_id": client}))
    seen = [path for path, route, params in places if _may(principal, route, params)]
    many = len(bodies) > 1 or len(clients) > 1
    return seen[0] if len(seen) == 1 and not many else "/workspace"


_BODY_PAGE, _PORTAL = "GET /ws/bodies/{body_id}", "GET /portal/{client_id}"


def _may(principal: Principal, route: str, params: dict[str, str]) -> bool:
    try:
        decide(principal, route, params)
    except (Forbidden, Unauthenticated):
        return False
    return True


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signin_page(
    request: Request,
    next: str,
    error: str | None = None,
    username: str = "",
    status: int = 200,
    wait: int = 0,
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
        wait=wait,
    )
    sessions.set_pre(response, token)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str = "/workspace") -> Response:
    """The sign-in form (its CSRF token is a double-submit cookie: there is no session yet)."""
    return _signin_page(request, next)


@router.post("/signin")
async def signin(request: Request) -> Response:
    """Check the password (failures slow the next attempt), then start a session."""
    form = await request.form(max_files=0, max_fields=8)
    require_csrf(request, form, None)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _safe_next(form.get("next"))
    if not username or not password or len(username) > 64 or len(password) > 1024:
        return _signin_page(request, target, "signin.missing", username[:64], 422)
    identity = services(request).identity
    try:
        signed = await run_in_threadpool(
            identity.sign_in, username, password, _address(request), "web"
        )
    except security.TooManyAttempts as err:
        return _signin_page(request, target, "signin.throttled", username, 429, err.retry_after)
    except security.AuthError:
        return _signin_page(request, target, "signin.failed", username, 401)
    if target == "/workspace":
        # No page was asked for: land on the user's main page, not on the list of roles.
        found = await run_in_threadpool(identity.session, signed.token, "web")
        target = landing(found[0]) if found is not None else target
    response = RedirectResponse(target, status_code=303)
    sessions.start(response, signed)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session, on the server as in the browser (a form with the session's token)."""
    who = viewer(request, required=False)
    form = await request.form(max_files=0, max_fields=4)
    if who is not None:
        require_csrf(request, form, who)
        services(request).identity.sign_out(who.principal)
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


# The roles listed on the home page, named from the shared names table as every page names
# them (in English as the first word of a list item).
HOME_ROLES = {
    f"home.role.{role}": (zh, en[:1].upper() + en[1:])
    for role in ROLES
    for zh, en in [NAMES[f"value.{role}"]]
}


@router.get("/workspace", response_class=HTMLResponse)
def workspace(request: Request) -> Response:
    """Where a signed-in user starts: their roles, and the bodies and organisations they see."""
    who = viewer(request)
    assert who is not None
    scope = read_scope(who.principal)
    with services(request).engine.connect() as conn:
        bodies = portal.bodies(conn, None if scope.everything else set(scope.bodies))
        clients = portal.clients_named(conn, set(scope.clients))
    roles = [(role, *_where(scope)) for role, scope in sorted(who.principal.roles)]
    return page(
        request,
        "ws/home.html",
        who=who,
        messages={**HOME_MESSAGES, **HOME_ROLES},
        roles=roles,
        role_names=set(HOME_ROLES),
        bodies=bodies,
        clients=clients,
        hub=bool(who.principal.scopes("region", "regulator")),
    )


def _where(scope: str) -> tuple[str, str]:
    """A role's scope as (kind, id): ``body:cb1`` -> ("body", "cb1"); ``platform`` -> (…, "")."""
    kind, _, ident = scope.partition(":")
    return kind, ident


# -- one's own account ----------------------------------------------------------


def _account_page(
    request: Request,
    who: Viewer,
    status: int = 200,
    error: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    return page(
        request,
        "ws/account.html",
        status,
        who,
        error=error,
        done=done,
        zone=viewer_zone(request),
        zones=ZONES,
        default_zone=services(request).settings.timezone,
    )


def _refusal(err: Exception, lang: str) -> dict[str, str]:
    if isinstance(err, RuleViolation):
        return {"rule": err.rule, "message": err.zh if lang == "zh-CN" else err.en}
    zh = getattr(err, "zh", None)
    return {"rule": type(err).__name__, "message": zh if zh and lang == "zh-CN" else str(err)}


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    """One's account: change the password, sign out everywhere."""
    who = viewer(request)
    assert who is not None
    done = request.query_params.get("done")
    shown = done if done in ("password", "sessions", "timezone") else None
    return _account_page(request, who, done=shown)


async def _run(request: Request, who: Viewer, command: Any) -> dict[str, str] | None:
    try:
        await run_in_threadpool(services(request).bus.handle, command, who.principal)
    except (QcertError, SchemeError) as err:
        return _refusal(err, lang_of(request))
    return None


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    """Change the password (the current one is asked); every other session ends."""
    who = viewer(request)
    assert who is not None
    form = await request.form(max_files=0, max_fields=4)
    require_csrf(request, form, who)
    current, new = str(form.get("current_password", "")), str(form.get("password", ""))
    if new != str(form.get("password_again", "")):
        refusal = {"rule": "input.invalid", "message": _mismatch(lang_of(request))}
        return _account_page(request, who, 422, refusal)
    cmd = c.ChangePassword(who.account_id, current, new)
    refused = await _run(request, who, cmd)
    if refused is not None:
        status = 422 if refused["rule"] == "input.invalid" else 403
        return _account_page(request, who, status, refused)
    return RedirectResponse("/account?done=password", status_code=303)


# Zones offered first on the account page; any IANA zone name is accepted.
ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
)


@router.post("/account/timezone")
async def choose_timezone(request: Request) -> Response:
    """Remember the zone this browser shows times in (a preference of the viewer's, like the
    language: it changes no record)."""
    who = viewer(request)
    assert who is not None
    form = await request.form(max_files=0, max_fields=4)
    require_csrf(request, form, who)
    name = str(form.get("zone", "")).strip()[:65]
    if zone_named(name) is None:
        zh, en = WORDS["time.zone_bad"]
        message = zh if lang_of(request) == "zh-CN" else en
        return _account_page(request, who, 422, {"rule": "input.invalid", "message": message})
    response = RedirectResponse("/account?done=timezone", status_code=303)
    response.set_cookie(TZ_COOKIE, name, max_age=365 * 86400, path="/", samesite="lax", secure=True)
    return response


def _mismatch(lang: str) -> str:
    return translator(lang)("account.mismatch")


@router.post("/account/sessions")
async def sign_out_everywhere(request: Request) -> Response:
    """End every session of the account, this one too (RevokeSessions)."""
    who = viewer(request)
    assert who is not None
    form = await request.form(max_files=0, max_fields=4)
    require_csrf(request, form, who)
    refused = await _run(request, who, c.RevokeSessions(who.account_id))
    if refused is not None:
        return _account_page(request, who, 409, refused)
    response = RedirectResponse("/signin", status_code=303)
    sessions.end(response)
    return response


# -- joining an organisation by invitation ---------------------------------------


def _join_page(
    request: Request, status: int = 200, error: dict[str, str] | None = None, **values: str
) -> Response:
    who = viewer(request, required=False)
    token = sessions.pre_token(request)
    values = {"code": "", "account_id": "", "display_name": "", **values}
    response = page(request, "ws/join.html", status, who, pre=token, error=error, values=values)
    if who is None:
        sessions.set_pre(response, token)
    return response


@router.get("/join", response_class=HTMLResponse)
def join_form(request: Request, code: str = "") -> Response:
    """Take an invitation: a new account, or (signed in) the role added to one's own."""
    return _join_page(request, code=code[:200])


@router.post("/join")
async def join(request: Request) -> Response:
    """Redeem an invitation's code (JoinWithInvitation, or AcceptInvitation when signed in)."""
    who = viewer(request, required=False)
    form = await request.form(max_files=0, max_fields=8)
    require_csrf(request, form, who)
    values = {k: str(form.get(k, ""))[:1024] for k in ("code", "account_id", "display_name")}
    principal = who.principal if who else None
    lang = lang_of(request)
    try:
        if principal is not None:
            cmd: Any = c.AcceptInvitation(principal.account_id, values["code"])
        else:
            password = str(form.get("password", ""))
            cmd = c.JoinWithInvitation(
                values["code"], values["account_id"], values["display_name"], password
            )
        await run_in_threadpool(services(request).bus.handle, cmd, principal or ANONYMOUS)
    except (QcertError, SchemeError) as err:
        status = 422 if isinstance(err, RuleViolation) and err.rule == "input.invalid" else 409
        return _join_page(request, status, _refusal(err, lang), **values)
    return RedirectResponse("/workspace" if who else "/signin", status_code=303)
