"""The public ledger page: the latest signed checkpoints and the verifier keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from ..ledger import SM3
from .render import page, viewer

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/transparency", response_class=HTMLResponse)
def transparency(request: Request) -> Response:
    """What anyone needs to check the log offline: size, checkpoints of both trees, keys."""
    ledger = request.app.state.ledger
    return page(
        request,
        "ws/transparency.html",
        who=viewer(request, required=False),
        size=ledger.size(),
        checkpoint=ledger.checkpoint(),
        checkpoint_sm3=ledger.checkpoint(SM3),
        vkeys=[v.vkey() for v in ledger.verifiers()],
    )
