"""The HTTP API: a thin FastAPI face over the parts.

``install(app)`` adds the JSON routes, their error shape and the documentation pages to an
application whose ``state.services`` holds the wired services (see ``qcert.server``).
"""

from __future__ import annotations

from fastapi import FastAPI

from . import (
    auth,
    commands,
    docs,
    errors,
    evidence,
    exchange,
    hub,
    inspections,
    ledger,
    public,
    queries,
    status,
    witness,
)

__all__ = ["EVIDENCE_CAPS", "HUB_CAPS", "UPLOAD_PATH", "install"]

UPLOAD_PATH = commands.UPLOAD_PATH
HUB_CAPS = [("/hub/v1/reports", hub.REPORT_CAP), ("/hub/v1/uploads", hub.UPLOAD_CAP + 64 * 1024)]
EVIDENCE_CAPS = [("/evidence/v1/readings", evidence.BATCH_CAP)]


def install(app: FastAPI) -> None:
    """Add the API's routes (the public verification routes, the busiest, first) and its
    error handlers."""
    errors.install(app)
    app.include_router(public.router)
    app.include_router(status.router)
    app.include_router(witness.router)
    app.include_router(ledger.router)
    app.include_router(auth.router)
    app.include_router(commands.router)
    app.include_router(queries.router)
    app.include_router(exchange.router)
    app.include_router(hub.router)
    app.include_router(evidence.router)
    app.include_router(inspections.router)
    app.include_router(docs.router)
