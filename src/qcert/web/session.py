"""Browser sessions: a signed cookie naming the account, and a CSRF token per session.

The cookie is HttpOnly (scripts cannot read it), Secure, and SameSite=Strict (other
sites' pages cannot send it). Every form carries the session's CSRF token, an HMAC of a
nonce inside the signed cookie, so a form posted from elsewhere is refused even if a
browser ignored SameSite. Forms shown before sign-in use a double-submit token instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from starlette.requests import Request
from starlette.responses import Response

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
LIFETIME = timedelta(hours=8)
_AUDIENCE = "qcert-web"  # a web session is not an API token, and the reverse


@dataclass(frozen=True)
class Session:
    account_id: str
    csrf: str


def _csrf(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def start(response: Response, secret: bytes, account_id: str) -> Session:
    """Sign ``account_id`` in on ``response``; the new session (with a fresh CSRF token)."""
    now = datetime.now(UTC)
    nonce = secrets.token_urlsafe(18)
    payload = {"sub": account_id, "n": nonce, "aud": _AUDIENCE, "iat": now, "exp": now + LIFETIME}
    _cookie(
        response,
        COOKIE,
        jwt.encode(payload, secret, algorithm="HS256"),
        int(LIFETIME.total_seconds()),
    )
    response.delete_cookie(PRE_COOKIE, path="/")
    return Session(account_id, _csrf(secret, nonce))


def read(request: Request, secret: bytes) -> Session | None:
    """The request's session, or None when there is none or it is invalid or expired."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=_AUDIENCE,
            options={"require": ["exp", "sub", "n", "aud"]},
        )
    except jwt.InvalidTokenError:
        return None
    return Session(str(payload["sub"]), _csrf(secret, str(payload["n"])))


def end(response: Response) -> None:
    """Sign out: the cookie is cleared."""
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
