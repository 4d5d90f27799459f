"""What a body's administration pages share: the viewer and the body, the page number, the
bounded reading of a posted form, the confirmation irreversible actions require, running a
command on the bus with its refusal said in the viewer's language, and the way back to the
page once it is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..access import Forbidden
from ..errors import QcertError
from ..lifecycle.accounts import ROLES
from ..locale import fill_zh
from ..locale.names import MESSAGES as NAMES
from ..schemes import RuleViolation, SchemeError
from ..store.views import body_row
from .admin_text import MESSAGES
from .body_text import MESSAGES as BODY_MESSAGES
from .i18n import lang_of
from .input_text import MESSAGES as INPUT_MESSAGES
from .render import PageForbidden, PageNotFound, Viewer, env, require_csrf, services, viewer

__all__ = [
    "MAX_FIELDS",
    "MAX_PAGE",
    "PAGE_SIZE",
    "ROLE_WORDS",
    "TEXT",
    "FormError",
    "Paging",
    "admin_text",
    "back_to",
    "body_of",
    "confirmed",
    "day",
    "number",
    "page_number",
    "paging",
    "posted",
    "posted_by",
    "refusal",
    "run",
    "text",
    "whole",
]

PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # past this no body has rows, and offsets stay small integers
MAX_FIELDS = 40  # the largest form here has about twenty fields
# An account's roles are named as the refusals and every other page name them: from the shared
# names table (value.<role>), which is the one place their words are kept.
ROLE_WORDS = {f"role.{role}": NAMES[f"value.{role}"] for role in ROLES}
# The body's pages' words (nav, stages), ours and the roles'.
TEXT = {**BODY_MESSAGES, **MESSAGES, **ROLE_WORDS}


def admin_text(key: str, lang: str) -> str:
    """Our words for pages rendered with another catalogue (the body's nav links here)."""
    return MESSAGES[key][0 if lang == "zh-CN" else 1]


env.globals["admin_text"] = admin_text


class FormError(Exception):
    """A field missing or malformed: the message key and its values, said in both languages."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def said(self, lang: str) -> dict[str, str]:
        zh, en = {**MESSAGES, **INPUT_MESSAGES}[self.key]
        message = fill_zh(zh, self.values) if lang == "zh-CN" else en.format(**self.values)
        return {"rule": "input.invalid", "source": "qcert", "message": message}


def body_of(request: Request, body_id: str) -> tuple[Viewer, dict[str, Any]]:
    """The viewer and the body (the route's rule has checked the viewer may see it)."""
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        body = body_row(conn, body_id)
    if body is None:
        raise PageNotFound
    return who, body


async def posted(request: Request, answer: Callable[..., Response], *args: Any) -> Response:
    """Read the posted form (no files, at most MAX_FIELDS fields), then ``answer(request,
    *args, form)`` in a worker thread: it opens database connections, which block."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    return await run_in_threadpool(answer, request, *args, form)


def posted_by(request: Request, body_id: str, form: Any) -> tuple[Viewer, dict[str, Any]]:
    """The viewer and the body of a posted form, once its CSRF token is checked."""
    who, body = body_of(request, body_id)
    require_csrf(request, form, who)
    return who, body


def back_to(body_id: str, *path: str, done: str, anchor: str = "") -> Response:
    """See-other to the body's page at ``path`` (each part a path segment), saying what was
    ``done``: after a post, a reload does not post again."""
    target = "/".join(quote(part, safe="") for part in ("ws", "bodies", body_id, *path))
    return RedirectResponse(f"/{target}?done={done}{'#' + anchor if anchor else ''}", 303)


@dataclass(frozen=True)
class Paging:
    """The page of a list asked for: its number, whether the one asked was malformed, and
    the rows a page holds."""

    current: int
    bad: bool
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.current - 1) * self.size

    def status(self, status: int) -> int:
        """The page's status: a malformed page number makes a 422 of what would be a 200
        (the first page is shown beneath its refusal)."""
        return 422 if self.bad and status == 200 else status

    def fields(self, total: int) -> dict[str, Any]:
        """What the list's template needs to page through ``total`` rows."""
        return {
            "total": total,
            "current": self.current,
            "pages": max(1, -(-total // self.size)),
            "bad_page": self.bad,
        }


def paging(request: Request, size: int = PAGE_SIZE) -> Paging:
    """The ``page`` asked for, read as :func:`page_number` reads it, of ``size`` rows."""
    return Paging(*page_number(request), size)


def page_number(request: Request) -> tuple[int, bool]:
    """The ``page`` asked for (1 when absent or malformed) and whether it was malformed."""
    raw = request.query_params.get("page", "1")
    # ASCII digits only ("²" is a digit to str.isdigit), few enough for int() to read (it
    # refuses past 4,300 digits), and a page that can exist.
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_PAGE))
    if digits and 1 <= int(raw) <= MAX_PAGE:
        return int(raw), False
    return 1, True


def text(form: Any, name: str, limit: int, required: bool = True) -> str:
    """Field ``name`` of ``form``, stripped; refused when missing (if required) or too long."""
    value = form.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise FormError("admin.required", field=name)
    if len(value) > limit:
        raise FormError("admin.too_long", field=name, max=limit)
    # Nothing anyone types holds a control character, and PostgreSQL refuses NUL in text.
    if any(ch < " " and ch not in "\t\r\n" for ch in value):
        raise FormError("input.control", field=name)
    return value


def day(form: Any, name: str) -> date:
    try:
        return date.fromisoformat(text(form, name, 10))
    except ValueError:
        raise FormError("admin.date", field=name) from None


def whole(form: Any, name: str) -> int:
    raw = text(form, name, 12)
    if not (raw.isascii() and raw.isdigit()):
        raise FormError("admin.integer", field=name)
    return int(raw)


def number(form: Any, name: str) -> float:
    try:
        found = float(text(form, name, 32))
    except ValueError:
        raise FormError("admin.number", field=name) from None
    if found != found or found in (float("inf"), float("-inf")):
        raise FormError("admin.number", field=name)
    return found


def confirmed(form: Any) -> None:
    """Refuse an irreversible action unless its form's ``confirm`` box was ticked: the
    server asks, not only the browser."""
    if form.get("confirm") != "yes":
        raise FormError("admin.confirm_needed")


def refusal(err: Exception, lang: str) -> tuple[int, dict[str, str]]:
    """The status and what the page says of a refused command, in the viewer's language."""
    if isinstance(err, FormError):
        return 422, err.said(lang)
    if isinstance(err, RuleViolation):
        status = 422 if err.rule == "input.invalid" else 409
        message = err.zh if lang == "zh-CN" else err.en
        return status, {"rule": err.rule, "source": err.source, "message": message}
    status = int(getattr(err, "status", 422))
    return status, {"rule": type(err).__name__, "source": "qcert", "message": str(err)}


def run(
    request: Request, who: Viewer, command: Any, say_forbidden: bool = False
) -> tuple[int, dict[str, str]] | None:
    """Hand ``command`` to the bus as the viewer: None when it was recorded, else the status
    and the refusal to show. A refusal by the access policy is the 403 page, unless
    ``say_forbidden`` (a page only those who may run such commands see: the policy's reason,
    such as "nobody changes their own roles", is then said on the page)."""
    try:
        services(request).bus.handle(command, who.principal)
    except Forbidden as err:
        if not say_forbidden:
            raise PageForbidden from None
        message = err.zh if lang_of(request) == "zh-CN" else str(err)
        return 403, {"rule": err.rule, "source": "qcert.access", "message": message}
    except (SchemeError, QcertError) as err:
        return refusal(err, lang_of(request))
    return None
