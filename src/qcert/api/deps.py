"""What every API route depends on: the services, the caller, and the access check.

The caller comes from ``Authorization: Bearer <session token>`` or ``X-API-Key``; without
either it is anonymous. Every router runs :func:`guard`, which asks the one access policy
about the route before the route runs.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ..access import ANONYMOUS, Forbidden, Principal, Unauthenticated, decide, route_rule
from ..access.routes import _public
from ..bootstrap import Services
from ..security import AuthError

__all__ = ["Caller", "PublicRoute", "Svc", "caller", "guard", "services"]

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


# The dependencies are coroutines: a sync one would cost every request a trip through the
# thread pool; only a credential sent is looked up, off the event loop.
async def services(request: Request) -> Services:
    """The installation's services, wired once at start."""
    return request.app.state.services  # type: ignore[no-any-return]


Svc = Annotated[Services, Depends(services)]


async def caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Who is calling: the principal of a live session token or API key, or anonymous when
    neither is sent; 401 when one is sent that does not hold (expired, ended, revoked)."""
    identity = request.app.state.services.identity
    if bearer is not None:
        found = await run_in_threadpool(identity.session, bearer.credentials, "api")
        if found is None:
            raise AuthError(
                "invalid, expired or ended session token; sign in again",
                "会话令牌无效、已过期或已结束，请重新登录",
            )
        return found[0]
    if key is not None:
        principal = await run_in_threadpool(identity.by_api_key, key)
        if principal is None:
            raise AuthError("invalid or revoked API key", "API 密钥无效或已吊销")
        return principal
    return ANONYMOUS


Caller = Annotated[Principal, Depends(caller)]


async def guard(request: Request, who: Caller) -> None:
    """Refuse the call if the access policy does not allow this route to ``who``."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    params = {**request.query_params, **request.path_params}
    decide(who, f"{request.method} {path}", params)


class PublicRoute(APIRoute):
    """A route that answers everyone alike (public verification, status lists): the access
    policy is asked, as nobody, when the route is built, since its answer for a public route
    cannot change between requests; a route the policy does not open to everyone answers
    its refusal to every request. The busiest routes so pay no access check per request."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        try:
            for method in self.methods:
                rule = route_rule(method, self.path)
                if rule is None or not rule.public or rule.check is not _public:
                    raise Forbidden(
                        "access.route",
                        f"{method} {self.path} is not a public route",
                        f"{method} {self.path} 不是公开路由",
                    )
                decide(ANONYMOUS, f"{method} {self.path}", {})
        except (Forbidden, Unauthenticated) as refused:
            error = refused

            async def refuse(_: Request) -> Response:
                raise error

            return refuse
        return handler
