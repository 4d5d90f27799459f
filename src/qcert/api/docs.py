"""The API's documentation pages (/docs, /redoc), served with their scripts from this origin.

Swagger UI and ReDoc come bundled with a Python package (``fastapi-offline``), never from a
CDN, so the pages work on an isolated network; a Content-Security-Policy keeps every script
to this origin, and no page carries an inline script.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, Response

from ..errors import QcertError
from .deps import guard

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

_ASSETS = {
    "swagger-ui-bundle.js": ("fastapi_offline", "static/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("fastapi_offline", "static/swagger-ui.css", "text/css"),
    "redoc.standalone.js": ("fastapi_offline", "static/redoc.standalone.js", "text/javascript"),
    "favicon.png": ("fastapi_offline", "static/favicon.png", "image/png"),
    "swagger-init.js": ("qcert.api", "static/swagger-init.js", "text/javascript"),
}
_BASE = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP = {
    "docs": _BASE,
    # ReDoc searches in a web worker it starts from a blob: URL.
    "redoc": _BASE + "; worker-src 'self' blob:",
}
_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}

_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>qcert API</title>
<link rel="icon" href="/static/docs/favicon.png">
<link rel="stylesheet" href="/static/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs/swagger-init.js"></script></body></html>
"""
_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>qcert API</title>
<link rel="icon" href="/static/docs/favicon.png"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/static/docs/redoc.standalone.js"></script></body></html>
"""


class _NoAsset(QcertError):
    status = 404


def _asset(name: str) -> tuple[bytes, str] | None:
    found = _ASSETS.get(name)
    if found is None:
        return None
    package, path, media_type = found
    try:
        return files(package).joinpath(path).read_bytes(), media_type
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@router.get("/docs")
def swagger() -> HTMLResponse:
    """Swagger UI over /openapi.json, with an Authorize button for both security schemes."""
    headers = {**_HEADERS, "Content-Security-Policy": CSP["docs"]}
    return HTMLResponse(_DOCS, headers=headers)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc over /openapi.json."""
    return HTMLResponse(_REDOC, headers={**_HEADERS, "Content-Security-Policy": CSP["redoc"]})


@router.get("/static/docs/{name}")
def asset(name: str = Path(max_length=64)) -> Response:
    """The documentation pages' scripts and styles, as bundled with the installed packages."""
    found = _asset(name)
    if found is None:
        raise _NoAsset(f"no documentation asset {name!r}")
    data, media_type = found
    return Response(
        data, media_type=media_type, headers={**_HEADERS, "Cache-Control": "max-age=86400"}
    )
