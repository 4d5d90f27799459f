"""Signing in (password to token), and finding the caller of each request."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from .. import security
from ..store import tables as t
from ..store.secrets import password_hash
from .principal import Principal

__all__ = ["principal", "router"]

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token")
def token(body: TokenRequest, request: Request) -> TokenRead:
    """Exchange a username and password for a bearer token that expires."""
    state = request.app.state
    with state.engine.connect() as conn:
        stored = password_hash(conn, body.username)
    security.sign_in(state.limiter, body.username, body.password, stored)
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
