"""Mounting the web workspace on the application: routers, stylesheet, chart library, and
the error pages (sign-in, 403, 404) for page routes."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from . import (
    account_pages,
    auditor_pages,
    body_pages,
    case_pages,
    checkin_pages,
    client_forms,
    client_pages,
    hub_pages,
    notice_pages,
    pages,
    people_pages,
    portal_documents,
    portal_pages,
    portal_users,
    search_pages,
    stream_pages,
    transparency,
)
from .render import (
    CsrfRefused,
    PageForbidden,
    PageNotFound,
    SignInRequired,
    guard,
    page,
    sign_in_redirect,
)
from .render import viewer as find_viewer

__all__ = ["install", "install_public"]


def install_public(app: FastAPI) -> None:
    """Add the public verification pages (matched early: they are the busiest)."""
    app.include_router(pages.router)


_CSS = files("qcert.web").joinpath("static/ws.css").read_bytes()
_CHECKIN_JS = files("qcert.web").joinpath("static/checkin.js").read_bytes()
_WS_JS = files("qcert.web").joinpath("static/ws.js").read_bytes()
_FAVICON = files("qcert.web").joinpath("static/favicon.svg").read_bytes()


def _plotly() -> bytes | None:
    try:
        return files("plotly").joinpath("package_data/plotly.min.js").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def install(app: FastAPI) -> None:
    """Add the workspace pages to ``app``."""
    app.include_router(account_pages.router)
    app.include_router(transparency.router)
    app.include_router(portal_pages.router)
    app.include_router(portal_documents.router)
    app.include_router(portal_users.router)
    app.include_router(stream_pages.router)
    app.include_router(body_pages.router)
    app.include_router(search_pages.router)
    app.include_router(checkin_pages.router)
    app.include_router(client_pages.router)
    app.include_router(auditor_pages.router)
    app.include_router(hub_pages.router)
    app.include_router(case_pages.router)
    app.include_router(people_pages.router)
    app.include_router(client_forms.router)
    notice_pages.install(app)
    plotly = _plotly()
    static = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])

    @static.get("/static/ws.css")
    def stylesheet() -> Response:
        return Response(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @static.get("/static/checkin.js")
    def check_in_script() -> Response:
        # The phone check-in page's few lines: the browser's position, shown with its accuracy.
        return Response(
            _CHECKIN_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
        )

    @static.get("/static/ws.js")
    def workspace_script() -> Response:
        # Moves the focus to a page's refusal or confirmation (scripts come from here only).
        return Response(
            _WS_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
        )

    @static.get("/static/favicon.svg")
    @static.get("/favicon.ico")
    def favicon() -> Response:
        # One vector icon; browsers that ask /favicon.ico take the SVG by its media type.
        return Response(
            _FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    if plotly is not None:

        @static.get("/static/plotly.min.js")
        def chart_library() -> Response:
            # The chart library as installed with the Python package: nothing from a CDN.
            return Response(
                plotly,
                media_type="text/javascript",
                headers={"Cache-Control": "max-age=86400"},
            )

    app.include_router(static)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        return sign_in_redirect(request)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, err: PageForbidden) -> Response:
        who = find_viewer(request, required=False)
        body = "csrf.refused" if isinstance(err, CsrfRefused) else "forbidden.body"
        return page(
            request, "ws/message.html", 403, who, title="forbidden.title", body=body, code=403
        )

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, _: PageNotFound) -> Response:
        who = find_viewer(request, required=False)
        return page(
            request,
            "ws/message.html",
            404,
            who,
            title="notfound.title",
            body="notfound.body",
            code=404,
        )
