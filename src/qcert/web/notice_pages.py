"""The signed-in user's notices (``/ws/notices``): newest first, paged, each linking to its
record's page, marked read one by one; the address they are e-mailed to; and the notices link
with its unread count in every workspace page's header."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..notices import commands as nc
from ..notices.text import link, title
from ..store import notices as views
from .i18n import lang_of
from .input_text import MESSAGES as INPUT
from .notice_text import MESSAGES
from .portal_pages import Refusal, run
from .render import Viewer, env, guard, page, require_csrf, services, viewer

__all__ = ["install", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
MAX_PAGE = 10_000  # pages beyond are refused before anything is read
_DONE = ("marked", "email_saved")  # what a redirect after a form may say was done

# The application serving the request being rendered, for the header's unread count (set by
# the middleware below: templates are rendered without the request).
_APP: ContextVar[Any] = ContextVar("qcert_notices_app", default=None)


class _Serving:
    """ASGI middleware: remember which application serves this request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _APP.set(scope.get("app"))
        try:
            await self.app(scope, receive, send)
        finally:
            _APP.reset(token)


def notice_badge(who: Viewer | None, lang: str) -> dict[str, Any]:
    """The header's notices link for ``who``: its label and the unread count (0 when unknown)."""
    position = 0 if lang == "zh-CN" else 1
    count = 0
    app = _APP.get()
    if who is not None and app is not None:
        with app.state.services.engine.connect() as conn:
            count = views.unread_count(conn, who.account_id)
    return {
        "count": count,
        "label": MESSAGES["notices.nav"][position],
        "unread": MESSAGES["notices.unread"][position].format(count=count),
    }


env.globals["notice_badge"] = notice_badge


def install(app: FastAPI) -> None:
    """Add the notices pages, and what the header's count needs, to ``app``."""
    app.include_router(router)
    app.add_middleware(_Serving)


def _page_number(raw: object) -> int | None:
    """The page asked for, or None when ``raw`` is not one (absent means the first)."""
    text = str(raw or "1")
    # ASCII digits only ("²" is a digit to str.isdigit and int() refuses it), few enough for
    # int() to read (it refuses past 4,300 digits), and a page that can exist.
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= MAX_PAGE):
        return None
    return int(text)


def _bad_page() -> Refusal:
    """The refusal of a malformed ``page``, naming the field and its rule in both languages."""
    zh, en = (m.format(max=MAX_PAGE) for m in INPUT["input.page"])
    return Refusal(422, "input.page", "qcert", zh, en)


def _list(
    request: Request,
    who: Viewer,
    number: int,
    status: int = 200,
    error: Refusal | None = None,
    done: str | None = None,
) -> HTMLResponse:
    with services(request).engine.connect() as conn:
        rows, total = views.notices_of(conn, who.account_id, page=number)
        email = views.address_of(conn, who.account_id)
    lang = lang_of(request)
    shown = [
        {
            **n,
            "title": title(n, lang),
            "link": link(n),
            "sent": n["at"][:16].replace("T", " "),
        }
        for n in rows
    ]
    pages = max(1, -(-total // views.PAGE))
    return page(
        request,
        "ws/notices/list.html",
        status,
        who=who,
        messages=MESSAGES,
        notices=shown,
        page=min(number, pages),
        pages=pages,
        total=total,
        email=email,
        error=error,
        done=done,
    )


@router.get("/ws/notices", response_class=HTMLResponse)
def notices_page(request: Request, page: str = "1", done: str = "") -> Response:
    """The viewer's notices, newest first, ``PAGE`` to a page."""
    who = viewer(request)
    assert who is not None
    number = _page_number(page)
    if number is None:
        return _list(request, who, 1, 422, _bad_page())
    return _list(request, who, number, done=done if done in _DONE else None)


@router.post("/ws/notices/{notice_id}/read")
async def mark_read(request: Request, notice_id: str) -> Response:
    """Mark one of the viewer's notices read (MarkNoticeRead); someone else's is refused."""
    form = await request.form(max_files=0, max_fields=4)
    who = await run_in_threadpool(viewer, request)
    assert who is not None
    require_csrf(request, form, who)
    # A form's page only says where to return to: a malformed one returns to the first.
    number = _page_number(form.get("page")) or 1
    refused, _ = await run_in_threadpool(
        run, request, who, nc.MarkNoticeRead(notice_id[:64], who.account_id)
    )
    if refused is not None:
        return await run_in_threadpool(_list, request, who, number, refused.status, refused)
    return RedirectResponse(f"/ws/notices?page={number}&done=marked", status_code=303)


@router.post("/ws/notices/address")
async def set_address(request: Request) -> Response:
    """Set the address the viewer's notices are e-mailed to (SetNoticeAddress)."""
    form = await request.form(max_files=0, max_fields=4)
    who = await run_in_threadpool(viewer, request)
    assert who is not None
    require_csrf(request, form, who)
    email = str(form.get("email", ""))[:300]
    refused, _ = await run_in_threadpool(
        run, request, who, nc.SetNoticeAddress(who.account_id, email)
    )
    if refused is not None:
        return await run_in_threadpool(_list, request, who, 1, refused.status, refused)
    return RedirectResponse(f"/ws/notices?done={quote('email_saved')}", status_code=303)
