"""What every API route depends on: the services, the caller, and the access check.

The caller comes from ``Authorization: Bearer <session token>`` or ``X-API-Key``; without
either it is anonymous. Every router runs :func:`guard`, which asks the one access policy
about the route before the route runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from ..access import ANONYMOUS, Principal, decide
from ..bootstrap import Services
from ..security import AuthError

__all__ = ["Caller", "Svc", "caller", "guard", "services"]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A session token from POST /api/v1/auth/token (qs_…), valid 8 hours.",
)
_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="An API key from the issue-api-key command (qk_…), shown once.",
)


def services(request: Request) -> Services:
    """The installation's services, wired once at start."""
    return request.app.state.services  # type: ignore[no-any-return]


Svc = Annotated[Services, Depends(services)]


def caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Who is calling: the principal of a live session token or API key, or anonymous when
    neither is sent; 401 when one is sent that does not hold (expired, ended, revoked)."""
    identity = services(request).identity
    if bearer is not None:
        found = identity.session(bearer.credentials, "api")
        if found is None:
            raise AuthError(
                "invalid, expired or ended session token; sign in again",
                "会话令牌无效、已过期或已结束，请重新登录",
            )
        return found[0]
    if key is not None:
        principal = identity.by_api_key(key)
        if principal is None:
            raise AuthError("invalid or revoked API key", "API 密钥无效或已吊销")
        return principal
    return ANONYMOUS


Caller = Annotated[Principal, Depends(caller)]


def guard(request: Request, who: Caller) -> None:
    """Refuse the call if the access policy does not allow this route to ``who``."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    params = {**request.query_params, **request.path_params}
    decide(who, f"{request.method} {path}", params)
