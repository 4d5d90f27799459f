"""Signing in (password to a session token) and out, for API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from .deps import Caller, Svc, guard
from .errors import errors

__all__ = ["client_address", "router"]

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(guard)])


class TokenRequest(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


def client_address(request: Request) -> str:
    """The address a request came from (behind a proxy: as the proxy reported it, when
    ``qcert serve --forwarded-allow-ips`` trusts that proxy)."""
    return request.client.host if request.client else "unknown"


@router.post("/token", responses=errors(401, 413, 422, 429))
def token(body: TokenRequest, request: Request, svc: Svc) -> TokenRead:
    """Exchange a username and password for a session token (8 hours; ended by sign-out, a
    password change, a role change or an administrator). Failed attempts make the next one
    wait longer (429 with Retry-After), never lock the account."""
    signed = svc.identity.sign_in(body.username, body.password, client_address(request), "api")
    return TokenRead(access_token=signed.token, expires_in=signed.lifetime)


@router.post("/signout", status_code=204, responses=errors(401, 403, 413))
def signout(svc: Svc, who: Caller) -> Response:
    """End the session of the bearer token sent (an API key is revoked with revoke-api-key)."""
    svc.identity.sign_out(who)
    return Response(status_code=204)
