"""PublicRoute: the access policy is asked once, as nobody, when a public route is built.

A route placed under PublicRoute that the policy does not open to everyone must not slip
through because it skipped the per-request check: it answers its refusal to every request.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from qcert.api import errors
from qcert.api.deps import PublicRoute


def _app() -> FastAPI:
    app = FastAPI()
    errors.install(app)
    router = APIRouter(route_class=PublicRoute)

    @router.get("/public/certificates/{number}")
    async def certificate(number: str) -> dict[str, str]:
        return {"number": number}

    # A body's own page, wrongly declared public: the policy gives it only to the body's staff.
    @router.get("/ws/bodies/{body_id}")
    async def workspace(body_id: str) -> dict[str, str]:
        return {"leaked": body_id}

    # A route for signed-in callers, wrongly declared public.
    @router.get("/api/v1/certificates")
    async def listing() -> dict[str, str]:
        return {"leaked": "yes"}

    # A route the policy has never heard of.
    @router.get("/public/unlisted")
    async def unlisted() -> dict[str, str]:
        return {"leaked": "yes"}

    app.include_router(router)
    return app


def _get(path: str) -> httpx.Response:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    return asyncio.run(get())


def test_a_public_route_answers_everyone() -> None:
    answer = _get("/public/certificates/C-1")
    assert answer.status_code == 200 and answer.json() == {"number": "C-1"}


@pytest.mark.parametrize("path", ["/ws/bodies/cb1", "/api/v1/certificates", "/public/unlisted"])
def test_a_route_the_policy_does_not_open_is_refused_to_every_request(path: str) -> None:
    answer = _get(path)
    assert answer.status_code == 403
    assert "leaked" not in answer.text
    assert "not a public route" in answer.text
