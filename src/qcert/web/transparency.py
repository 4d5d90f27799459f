"""The public ledger page: the latest signed checkpoints and the verifier keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from ..ledger import SHA256, SM3, IndexOutOfRange, Ledger
from .render import guard, page, services, viewer

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])


def _signed(ledger: Ledger, suite: object) -> str:
    try:
        return ledger.signed(suite)  # type: ignore[arg-type]
    except IndexOutOfRange:
        return ""  # nothing signed yet: the schedule signs within seconds of the first entry


@router.get("/transparency", response_class=HTMLResponse)
def transparency(request: Request) -> Response:
    """What anyone needs to check the log offline: size, checkpoints of both trees, keys."""
    ledger = services(request).ledger
    return page(
        request,
        "ws/transparency.html",
        who=viewer(request, required=False),
        size=ledger.size(),
        checkpoint=_signed(ledger, SHA256),
        checkpoint_sm3=_signed(ledger, SM3),
        vkeys=[v.vkey() for v in ledger.verifiers()],
    )
