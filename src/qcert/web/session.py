"""Browser sessions: a cookie holding a server-side session's token, and its CSRF token.

The cookie is HttpOnly (scripts cannot read it), Secure, and SameSite=Strict (other sites'
pages cannot send it). The session itself lives on the server (the database or Redis), so
signing out, changing the password, a role change or an administrator's revocation ends it
at once, on every worker. Every form carries the session's CSRF token, drawn at sign-in and
kept with the session, so a form posted from elsewhere is refused even if a browser ignored
SameSite. Forms shown before sign-in use a double-submit token instead.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..access import Principal
from ..identity import LIFETIMES, Identity, SignedIn

__all__ = [
    "COOKIE",
    "PRE_COOKIE",
    "Session",
    "csrf_matches",
    "end",
    "pre_token",
    "read",
    "set_pre",
    "start",
]

COOKIE = "qcert_session"
PRE_COOKIE = "qcert_pre"  # the double-submit token of forms shown before sign-in


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its principal and the CSRF token its forms must carry."""

    principal: Principal
    csrf: str

    @property
    def account_id(self) -> str:
        return self.principal.account_id


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def start(response: Response, signed: SignedIn) -> None:
    """Set the new session's cookie on ``response`` (the session is already stored)."""
    _cookie(response, COOKIE, signed.token, LIFETIMES["web"])
    response.delete_cookie(PRE_COOKIE, path="/")


def read(request: Request, identity: Identity) -> Session | None:
    """The request's live session, or None (none sent, ended, expired, or its account gone)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    found = identity.session(token, "web")
    if found is None:
        return None
    principal, record = found
    return Session(principal, record.csrf)


def end(response: Response) -> None:
    """Clear the cookie (the caller ends the session on the server)."""
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def pre_token(request: Request) -> str:
    """The double-submit token for a form shown before sign-in (the cookie's, or a new one)."""
    token = request.cookies.get(PRE_COOKIE, "")
    return token if len(token) == 32 else secrets.token_hex(16)


def set_pre(response: Response, token: str) -> None:
    """Set (or refresh) the double-submit cookie of ``pre_token``."""
    _cookie(response, PRE_COOKIE, token, 3600)


def csrf_matches(expected: str | None, submitted: object) -> bool:
    """Whether a form's token is the expected one (compared in constant time)."""
    return (
        bool(expected)
        and isinstance(submitted, str)
        and hmac.compare_digest(str(expected), submitted)
    )
