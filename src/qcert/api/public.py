"""Public certificate lookup and credential verification, with a plain verdict in zh-CN and en.

A thin face over qcert.credentials.lookup: answers show what IAF CertSearch shows;
for clients marked confidential the credit code, sites and status history stay private.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import RootModel
from starlette.concurrency import run_in_threadpool

from ..credentials import lookup, printable
from ..credentials.lookup import VERDICTS, json_depth
from ..errors import QcertError, Unavailable
from ..lifecycle.inputs import has_controls
from .deps import PublicRoute, Svc
from .errors import errors

__all__ = ["MAX_CREDENTIAL", "VERDICTS", "router"]

router = APIRouter(
    prefix="/public",
    tags=["public"],
    route_class=PublicRoute,
    responses=errors(400, 404, 413, 422),
)

MAX_CREDENTIAL = 256 * 1024  # bytes: a credential is a few KiB
MAX_DEPTH = 32  # levels of nesting: a credential has five or six
Number = Annotated[str, Path(min_length=1, max_length=64, description="Certificate number")]


class InvalidCredential(QcertError):
    status = 422


class InvalidSearch(QcertError):
    status = 422


def _json(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


async def _answer(svc: Any, key: tuple[Any, ...], compute: Callable[[], Any]) -> Response:
    """The cached answer for ``key`` if the store has not changed since, else computed anew
    (off the event loop, as it reads the database)."""
    cache = svc.answers
    version = cache.version()
    body = cache.get(key, version)
    if body is None:
        body = _json(await run_in_threadpool(compute))
        cache.put(key, version, body)
    return Response(body, media_type="application/json")


@router.get("/certificates/{number}", response_model=None)
async def certificate(request: Request, number: Number) -> Response:
    """A certificate by number, with a plain verdict (no sign-in needed)."""
    svc = request.app.state.services  # not a dependency: the busiest route, kept lean
    today = datetime.now(UTC).date()

    def compute() -> dict[str, Any]:
        with svc.engine.connect() as conn:
            return lookup.certificate(conn, number, today)

    return await _answer(svc, ("certificate", number, today), compute)


@router.get("/certificates", response_model=None)
async def search(
    svc: Svc,
    q: Annotated[str, Query(min_length=2, max_length=100)],
    page: Annotated[int, Query(ge=1, le=lookup.MAX_PAGE, description="Page, from 1")] = 1,
    size: Annotated[
        int, Query(ge=1, le=lookup.MAX_SIZE, description="Certificates a page")
    ] = lookup.PAGE_SIZE,
) -> Response:
    """Certificates by number, credit code or part of the organisation's name (confidential
    clients: by number only), a page at a time by number: the answer says ``total``, ``page``,
    ``size`` and ``has_more``. ``%`` and ``_`` in ``q`` are matched as themselves."""
    if has_controls(q):
        # No number or name holds one, and PostgreSQL refuses NUL in any text.
        raise InvalidSearch("q: must not hold control characters / 不能包含控制字符")
    today = datetime.now(UTC).date()

    def compute() -> dict[str, Any]:
        with svc.engine.connect() as conn:
            return lookup.search(conn, q, today, page, size)

    return await _answer(svc, ("search", q, today, page, size), compute)


class CredentialBody(RootModel[dict[str, Any]]):
    """A certificate credential (JSON object)."""


@router.post(
    "/verify",
    response_model=None,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CredentialBody.model_json_schema()}},
        }
    },
)
async def verify(request: Request) -> Response:
    """Check an uploaded credential: signature, issuer, and the certificate's status now.

    The same bytes checked again while the store is unchanged get the same answer, kept
    from the first check (the answer depends only on the bytes, the keys and the status).
    """
    svc = request.app.state.services  # not a dependency: a busy route, kept lean
    raw = await request.body()
    if len(raw) > MAX_CREDENTIAL:
        raise InvalidCredential(f"credential: larger than {MAX_CREDENTIAL // 1024} KiB")
    now = datetime.now(UTC)

    def compute() -> dict[str, Any]:
        try:
            credential = json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidCredential("credential: the body is not JSON / 请求体不是 JSON") from None
        if not isinstance(credential, dict):
            raise InvalidCredential("credential: must be a JSON object / 须为一个 JSON 对象")
        if json_depth(credential) > MAX_DEPTH:
            raise InvalidCredential(
                f"credential: nested deeper than {MAX_DEPTH} levels / 嵌套超过 {MAX_DEPTH} 层"
            )
        with svc.engine.connect() as conn:
            return lookup.verify_upload(conn, credential, now, svc.public_host)

    # Validity dates are checked against the day, so the day is part of the key.
    return await _answer(svc, ("verify", hashlib.sha256(raw).digest(), now.date()), compute)


@router.get("/certificates/{number}/pdf", response_class=Response, responses=errors(503))
def certificate_pdf(svc: Svc, number: Number) -> Response:
    """The printable certificate (A4 PDF, zh-CN and en) with its verification QR code."""
    host = svc.public_host
    if not host:
        raise Unavailable("no public host is configured for the QR code's address")
    with svc.engine.connect() as conn:
        sheet = printable.certificate_sheet(conn, number, withhold_confidential=True)
    pdf = printable.render_pdf(sheet, host, datetime.now(UTC).date())
    disposition = f'inline; filename="{printable.file_name(number)}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
