"""Random inspection campaigns in public (双随机、一公开), under ``/public/inspections``.

Anyone reads what a campaign committed to before its draw (the seed's SHA-256 and the inputs'),
the inputs themselves, the seed once revealed, the targets and inspectors drawn, the results,
and an estimate of the non-compliance rate of the whole frame from them (Horvitz-Thompson, with
the inclusion probabilities the draw kept). With the inputs and the seed anyone re-runs the draw.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from ..lifecycle.inputs import Id
from ..store import hub as hub_views
from ..supervision.draw import draw
from ..supervision.estimate import horvitz_thompson
from ..supervision.inspection import inputs_from_document
from .deps import PublicRoute, Svc
from .errors import errors
from .queries import NotFound

__all__ = ["estimate", "router"]

router = APIRouter(
    prefix="/public/inspections",
    tags=["inspections"],
    route_class=PublicRoute,
    responses=errors(404, 422),
)
DrawId = Annotated[Id, Path(description="The campaign's id")]


def estimate(svc: Any, campaign: dict[str, Any]) -> dict[str, Any] | None:
    """The Horvitz-Thompson estimate of the frame's non-compliance rate from the results so
    far, once every drawn target has one; None before."""
    results = campaign["results"]
    if not campaign["seed"] or len(results) < len(campaign["selections"]):
        return None
    inputs = inputs_from_document(json.loads(svc.documents.read(campaign["inputs_sha256"])))
    result = draw(inputs, campaign["seed"])
    outcomes = {t: float(r["outcome"] == "non-compliant") for t, r in results.items()}
    found = horvitz_thompson(result, outcomes)
    return {
        "non_compliance_rate": found.rate,
        "standard_error": found.standard_error,
        "sample": found.sample,
        "population": found.population,
    }


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
    return {**_public(found), "estimate": estimate(svc, found)}


@router.get("/{draw_id}/inputs", response_class=Response)
def inputs(draw_id: DrawId, svc: Svc) -> Response:
    """The campaign's inputs as published before the draw (RFC 8785 canonical JSON): their
    SHA-256 is the one committed on the log."""
    with svc.engine.connect() as conn:
        found = hub_views.draw_row(conn, draw_id)
    if found is None:
        raise NotFound(f"no inspection campaign {draw_id!r}")
    return Response(svc.documents.read(found["inputs_sha256"]), media_type="application/json")
