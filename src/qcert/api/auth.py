"""Signing in (password to token), and finding the caller of each request."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from .. import security
from ..errors import QcertError
from ..store import tables as t
from .principal import Principal

__all__ = ["principal", "router"]

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
_DUMMY = security.hash_password("not-a-real-password-at-all")


class TokenRequest(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class TooManyAttempts(QcertError):
    status = 429


class _Limiter:
    """At most ``limit`` failed sign-ins per account per ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def check(self, key: str) -> None:
        q, now = self.failures[key], time.monotonic()
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.limit:
            raise TooManyAttempts(f"too many failed sign-ins for {key}; wait {int(self.window)} s")

    def fail(self, key: str) -> None:
        self.failures[key].append(time.monotonic())


@router.post("/token")
def token(body: TokenRequest, request: Request) -> TokenRead:
    """Exchange a username and password for a bearer token that expires."""
    state = request.app.state
    limiter: _Limiter = state.limiter
    limiter.check(body.username)
    with state.engine.connect() as conn:
        stored = conn.execute(
            sa.select(t.secrets.c.hash).where(
                t.secrets.c.kind == "password", t.secrets.c.id == body.username
            )
        ).scalar()
    # Verify against a dummy hash for unknown users too, so timing does not tell who exists.
    good = security.verify_password(stored or _DUMMY, body.password) and stored is not None
    if not good:
        limiter.fail(body.username)
        raise security.AuthError("wrong username or password")
    access, lifetime = state.signer.issue(body.username)
    return TokenRead(access_token=access, expires_in=lifetime)


def principal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller, from a bearer token or an API key; 401 when neither is valid."""
    state = request.app.state
    with state.engine.connect() as conn:
        if authorization and authorization.lower().startswith("bearer "):
            account = state.signer.check(authorization[7:].strip())
        elif x_api_key:
            parts = security.split_api_key(x_api_key)
            stored = (
                parts
                and conn.execute(
                    sa.select(t.secrets.c.hash).where(
                        t.secrets.c.kind == "api-key", t.secrets.c.id == parts[0]
                    )
                ).scalar()
            )
            if not stored or not security.verify_api_key(stored, x_api_key):
                raise security.AuthError("invalid or revoked API key")
            account = (
                conn.execute(
                    sa.select(t.accounts.c.id).where(t.accounts.c.api_keys.like(f'%"{parts[0]}"%'))
                ).scalar()
                or ""
            )
        else:
            raise security.AuthError("sign in: send 'Authorization: Bearer <token>' or 'X-API-Key'")
        found = Principal.load(conn, account)
    if found is None:
        raise security.AuthError("the account no longer exists")
    return found


Caller = Annotated[Principal, Depends(principal)]
