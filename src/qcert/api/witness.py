"""This installation as a witness of other logs (C2SP tlog-witness), under ``/witness``.

``POST /witness/add-checkpoint`` takes a log's signed checkpoint with a consistency proof and
answers the witness's cosignature, or the refusal the specification prescribes (plain text; a
409 carries the size held as ``text/x.tlog.size``). ``GET /witness/{origin hash}/checkpoint``
serves the newest cosigned checkpoint of a log, for monitors. Anyone may call them: the log's
signature on the checkpoint is what the witness trusts, not the caller. An installation
without a witness key (``qcert witness init``) answers 404.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ..ledger.witness import WitnessRefused
from .deps import PublicRoute, Svc
from .errors import errors

__all__ = ["router"]

router = APIRouter(tags=["witness"], route_class=PublicRoute)

SIZE_TYPE = "text/x.tlog.size"


def _text(description: str, media: str = "text/plain") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


class WitnessRead(BaseModel):
    name: str
    vkey: str
    logs: list[dict[str, Any]]


def _not_a_witness() -> PlainTextResponse:
    return PlainTextResponse("this installation is not a witness\n", status_code=404)


@router.get("/witness", responses={404: _text("not a witness")})
async def about(svc: Svc) -> Any:
    """The witness's name, verifier key (C2SP tlog-cosignature, type 0x04) and the logs it
    follows with the size it holds of each."""
    if svc.witness is None:
        return _not_a_witness()
    state = svc.witness.state
    logs = await run_in_threadpool(state.logs)  # type: ignore[attr-defined]
    return WitnessRead(
        name=svc.witness.signer.name,
        vkey=svc.witness.signer.verifier().vkey(),
        logs=[
            {
                "origin": log.origin,
                "suite": log.suite.name,
                "vkeys": [v.vkey() for v in log.verifiers],
                "size": held.size if held else 0,
            }
            for log, held in logs
        ],
    )


@router.post(
    "/witness/add-checkpoint",
    response_class=PlainTextResponse,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}
    },
    responses={
        200: _text("the witness's cosignature line(s)"),
        400: _text("a malformed request"),
        403: _text("the checkpoint is not signed by the log's key"),
        404: _text("a log this witness does not follow, or not a witness"),
        409: _text("the size this witness holds differs from old", SIZE_TYPE),
        413: {"description": "the body is over 64 KiB"},
        422: _text("not consistent with what this witness cosigned: a fork or a split view"),
    },
)
async def add_checkpoint(request: Request, svc: Svc) -> Response:
    """Cosign a log's checkpoint if it is consistent with the newest one cosigned for that log
    (C2SP tlog-witness add-checkpoint). The body: ``old <size>``, one base64 hash per line of
    the consistency proof, a blank line, the signed checkpoint."""
    if svc.witness is None:
        return _not_a_witness()
    body = await request.body()
    try:
        line = await run_in_threadpool(svc.witness.add_checkpoint, body)
    except WitnessRefused as refused:
        if refused.sizes is not None:
            origin = body.split(b"\n\n", 1)[-1].split(b"\n", 1)[0].decode("utf-8", "replace")
            held, offered = refused.sizes
            await run_in_threadpool(svc.bus.log_refused, origin, held, offered, str(refused))
        if refused.held is not None:
            return Response(f"{refused.held}\n", status_code=409, media_type=SIZE_TYPE)
        return PlainTextResponse(f"{refused}\n", status_code=refused.refusal.value)
    return PlainTextResponse(line)


OriginHash = Annotated[
    str,
    Path(
        pattern="^[0-9a-f]{64}$",
        description="The SHA-256 of the log's origin line, lowercase hex",
    ),
]


@router.get(
    "/witness/{origin_hash}/checkpoint",
    response_class=PlainTextResponse,
    responses={
        200: _text("the newest checkpoint cosigned, with the log's and the witness's signatures"),
        404: _text("no checkpoint of that log cosigned, or not a witness"),
        **errors(422),
    },
)
async def held(origin_hash: OriginHash, svc: Svc) -> Response:
    """The newest checkpoint this witness cosigned for the log whose origin hashes to
    ``origin_hash`` (C2SP tlog-witness monitoring), with every signature it verified."""
    if svc.witness is None:
        return _not_a_witness()
    state = svc.witness.state
    logs = await run_in_threadpool(state.logs)  # type: ignore[attr-defined]
    for _, kept in logs:
        if kept and hashlib.sha256(kept.origin.encode()).hexdigest() == origin_hash:
            return PlainTextResponse(kept.note)
    return PlainTextResponse("no checkpoint of that log cosigned here\n", status_code=404)
