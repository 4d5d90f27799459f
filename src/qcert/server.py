"""The served application: the API and the pages over one set of services, behind the caps.

The two faces never import each other; this module puts them together. Request bodies are
capped here, outside everything else, before any of them is read, and paths holding a control
character are refused before any route sees them (:mod:`qcert.api.limits`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import __version__, api, web
from .api.limits import BodyLimit, KiB, MiB, PlainPaths
from .bootstrap import Services, bootstrap
from .config import Settings

__all__ = ["BODY_RULES", "create_app", "factory", "serve"]

log = logging.getLogger(__name__)

# Bodies larger than a JSON command: uploads, each capped a little above what its page
# checks itself, so the page can still say so in the user's language.
BODY_RULES = [
    (api.UPLOAD_PATH, 10 * MiB + 64 * KiB),
    (re.compile(r"/portal/[^/]+/documents"), 12 * MiB),
    ("/public/verify", 320 * KiB),
    ("/verify/upload", 2 * MiB),
    *api.HUB_CAPS,
    *api.EVIDENCE_CAPS,
]


def create_app(services: Services, *, schedule: bool = True) -> FastAPI:
    """The application over ``services``: API, pages and documentation, with request bodies
    capped (64 KiB by default). With ``schedule``, the platform's periodic work (signing
    checkpoints) runs while the application does."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if schedule:
            services.schedule.start()
        try:
            yield
        finally:
            services.schedule.stop()

    app = FastAPI(
        title="qcert",
        version=__version__,
        description="qcert API / 质量认证平台接口. Sign in with POST /api/v1/auth/token, then "
        "Authorize with the bearer token, or use an API key (X-API-Key).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    web.install_public(app)
    api.install(app)
    web.install(app)
    # Added last, so outermost: a body is capped before anything else runs; then a path
    # holding a control character is refused before any route can take it to a query.
    app.add_middleware(PlainPaths)
    app.add_middleware(BodyLimit, rules=BODY_RULES)
    return app


def _public_host(settings: Settings, host: str, port: int) -> str | None:
    """The configured public host, else the address served when it names one host."""
    if settings.public_host:
        return settings.public_host
    return f"{host}:{port}" if host not in ("0.0.0.0", "::", "") else None


def factory() -> FastAPI:
    """The application for a worker process, from ``QCERT_*`` settings (``qcert serve
    --workers N`` starts each worker with it)."""
    return create_app(bootstrap(Settings.from_env(), upgrade=False))


def serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    workers: int = 1,
    forwarded_allow_ips: str | None = None,
) -> None:
    """Run the application with uvicorn until interrupted; first do whatever side effects an
    earlier run left owed (a credential or a status list it failed to publish)."""
    import uvicorn

    settings = dataclasses.replace(settings, public_host=_public_host(settings, host, port))
    services = bootstrap(settings)
    done = services.bus.reconcile()
    for cmd, why in done.failed:
        log.warning("still owed: %s: %s", cmd, why)
    proxy = {
        "proxy_headers": forwarded_allow_ips is not None,
        "forwarded_allow_ips": forwarded_allow_ips,
    }
    if workers > 1:
        services.close()
        # Each worker builds its services from the environment: pass ours on.
        os.environ["QCERT_DATA_DIR"] = str(settings.data_dir)
        os.environ["QCERT_DATABASE_URL"] = settings.database_url
        if settings.public_host:
            os.environ["QCERT_PUBLIC_HOST"] = settings.public_host
        if settings.redis_url:
            os.environ["QCERT_REDIS_URL"] = settings.redis_url
        uvicorn.run(
            "qcert.server:factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            **proxy,  # type: ignore[arg-type]
        )
        return
    uvicorn.run(create_app(services), host=host, port=port, log_level="warning", **proxy)  # type: ignore[arg-type]
