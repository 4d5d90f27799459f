"""Random inspection campaigns in public (双随机、一公开), under ``/public/inspections``.

Anyone reads what a campaign committed to before its draw (the seed's SHA-256 and the inputs'),
the inputs themselves, the seed once revealed, the targets and inspectors drawn, the results,
and an estimate of the non-compliance rate of the whole frame from them (Horvitz-Thompson, with
the inclusion probabilities the draw kept). With the inputs and the seed anyone re-runs the draw.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from ..lifecycle.inputs import Id
from ..store import hub as hub_views
from ..supervision.campaigns import estimate
from .deps import PublicRoute, Svc
from .errors import errors
from .queries import NotFound

__all__ = ["router"]

router = APIRouter(
    prefix="/public/inspections",
    tags=["inspections"],
    route_class=PublicRoute,
    responses=errors(404, 422),
)
DrawId = Annotated[Id, Path(description="The campaign's id")]


def _estimate(svc: Any, campaign: dict[str, Any]) -> dict[str, Any] | None:
    if not campaign["seed"]:
        return None
    return estimate(campaign, svc.documents.read(campaign["inputs_sha256"]))


def _public(campaign: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in campaign.items() if k != "seed" or v}


@router.get("")
def campaigns(svc: Svc) -> dict[str, Any]:
    """Every campaign: what it committed to, and, once drawn, what it drew."""
    with svc.engine.connect() as conn:
        return {"campaigns": [_public(c) for c in hub_views.draw_rows(conn)]}


@router.get("/{draw_id}")
def campaign(draw_id: DrawId, svc: Svc) -> dict[str, Any]:
    """One campaign with its results and, when every drawn target has one, the estimate."""
    with svc.engine.connect() as conn:
        found = hub_views.draw_row(conn, draw_id)
    if found is None:
        raise NotFound(f"no inspection campaign {draw_id!r}")
    return {**_public(found), "estimate": _estimate(svc, found)}


@router.get("/{draw_id}/inputs", response_class=Response)
def inputs(draw_id: DrawId, svc: Svc) -> Response:
    """The campaign's inputs as published before the draw (RFC 8785 canonical JSON): their
    SHA-256 is the one committed on the log."""
    with svc.engine.connect() as conn:
        found = hub_views.draw_row(conn, draw_id)
    if found is None:
        raise NotFound(f"no inspection campaign {draw_id!r}")
    return Response(svc.documents.read(found["inputs_sha256"]), media_type="application/json")
