"""Request bounds enforced before the application reads a byte: body caps and plain paths.

``BodyLimit`` is pure ASGI middleware: it sits outside the application and its other
middleware, so an oversized body is refused before any handler, form parser or sign-in
check has a chance to buffer it. A declared ``Content-Length`` over the cap is refused at
once, without calling the application; a body that streams (chunked, or a lying
``Content-Length``) is counted as it arrives and cut off the moment it passes the cap.
Nothing of the body is kept here: each chunk is counted and handed on, or dropped.

Caps are in bytes. Lines and headers are not limited here: the server (uvicorn/h11)
bounds those before the application is called.

``PlainPaths`` refuses a path holding a control character (``/ws/bodies/a%00b``) before any
route runs: no id, number or name in a path holds one, and PostgreSQL refuses NUL in any text
it is given, so such a path would otherwise reach a query and fail there, whatever the route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..lifecycle.inputs import has_controls

__all__ = ["DEFAULT_CAP", "BodyLimit", "KiB", "MiB", "PlainPaths", "Rule", "size_text"]

KiB = 1024  # bytes
MiB = 1024 * KiB  # bytes
DEFAULT_CAP = 64 * KiB  # bytes: comfortably more than any JSON command

Rule = tuple[str | re.Pattern[str], int]
"""A path prefix (``str``) or a pattern that must match the whole path, and its cap in bytes."""

_DISCONNECT: Message = {"type": "http.disconnect"}


def size_text(n: int) -> str:
    """``n`` bytes in the largest binary unit that states it exactly: ``64 KiB``, ``10 MiB``."""
    if n and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n and n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} bytes"


class BodyLimit:
    """Cap every HTTP request body at ``default`` bytes, or at the cap of the first rule whose
    path matches.

    ``rules`` raise (or lower) the cap for some paths, e.g. uploads; each is ``(prefix, cap)``
    where a ``str`` prefix matches paths that start with it, or ``(re.compile(...), cap)``
    where the pattern must match the whole path (``fullmatch``: raising a cap should never
    happen by accident). The path is ``scope["path"]`` as the server gives it.

    Wrap the outermost application: ``app = BodyLimit(create_app(...), rules=[...])``, or
    ``app.add_middleware(BodyLimit, default=..., rules=[...])`` on a FastAPI/Starlette app.
    Only ``http`` scopes are limited; ``lifespan`` and ``websocket`` pass through.

    Refusals use qcert's one error shape, ``{"error": {"code": ..., "message": ...}}``:
    413 ``too_large`` for a body over the cap, 400 ``invalid`` for a ``Content-Length``
    that is not a decimal byte count; both with ``Connection: close``, since the rest of
    the refused body is still on the connection and must not be read as a next request.
    """

    def __init__(self, app: ASGIApp, default: int = DEFAULT_CAP, rules: Iterable[Rule] = ()):
        self.app = app
        self.default = _cap(default)
        self.rules: list[Rule] = []
        for match, cap in rules:
            if not isinstance(match, str | re.Pattern):
                raise TypeError(f"rule {match!r}: a path prefix (str) or a compiled pattern")
            self.rules.append((match, _cap(cap)))

    def cap_for(self, path: str) -> int:
        """The cap in bytes for a request to ``path``."""
        for match, cap in self.rules:
            if path.startswith(match) if isinstance(match, str) else match.fullmatch(path):
                return cap
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        # ASGI servers give header names in lower case.
        lengths = [v for k, v in scope["headers"] if k == b"content-length"]
        streamed = any(k == b"transfer-encoding" for k, _ in scope["headers"])
        declared = _declared_length(lengths)
        # Connection is a hop-by-hop header of HTTP/1.x; HTTP/2 and 3 forbid it.
        http1 = scope.get("http_version", "1.1") in ("1.0", "1.1")
        if declared is None:
            await _refuse(send, 400, "invalid", _MALFORMED, http1)
            return
        if declared > cap:
            # Answered without calling the app: nothing of the body has been read, and
            # (under uvicorn) no "100 Continue" goes out, so a polite client sends none of it.
            await _refuse(send, 413, "too_large", _too_large(cap), http1)
            return
        # No Content-Length and no Transfer-Encoding: an HTTP/1.1 request without a body,
        # which has nothing to count (the busiest requests, GETs, pass straight on).
        empty = declared == 0 and not streamed
        if empty and not lengths:
            await self.app(scope, receive, send)
            return
        guard = _Guard(cap, receive, send, http1, unbounded=streamed or not lengths, empty=empty)
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception as exc:
            # The app was told the client went away because we cut the body off; the
            # ClientDisconnect it raises (Starlette's Request.body/stream/form) is our doing,
            # not a fault to log. Anything else is the app's own and goes on up.
            if not (guard.cut and _only_disconnects(exc)):
                raise


class PlainPaths:
    """Refuse, with a 400 naming the rule in both languages, every request whose path holds a
    control character (Unicode category Cc: NUL, escapes, DEL...), before the application is
    called. The path is ``scope["path"]``, already percent-decoded by the server.

    Only ``http`` scopes are checked; ``lifespan`` and ``websocket`` pass through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_controls(scope["path"]):
            http1 = scope.get("http_version", "1.1") in ("1.0", "1.1")
            await _refuse(send, 400, "invalid", _CONTROLS, http1)
            return
        await self.app(scope, receive, send)


class _Guard:
    """One request's counting ``receive`` and gatekeeping ``send``."""

    __slots__ = (
        "_receive",
        "_send",
        "cap",
        "cut",
        "done",
        "http1",
        "received",
        "refused",
        "started",
        "unbounded",
    )

    def __init__(
        self, cap: int, receive: Receive, send: Send, http1: bool, *, unbounded: bool, empty: bool
    ) -> None:
        self.cap = cap  # bytes
        self._receive = receive
        self._send = send
        self.http1 = http1
        self.unbounded = unbounded  # chunked: how long the body is, only its end will tell
        self.received = 0  # bytes of body handed to the app so far
        self.done = empty  # the whole body has been handed to the app (or there is none)
        self.started = False  # the app has started its response
        self.cut = False  # the body passed the cap; the app is told the client left
        self.refused = False  # we sent the 413; whatever the app sends is dropped

    async def receive(self) -> Message:
        if self.cut:
            return _DISCONNECT
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if self.received <= self.cap:
            self.done = not message.get("more_body", False)
            return message
        # Over the cap: the chunk is dropped here, never handed on, and no more is read.
        self.cut = True
        if not self.started:
            # Flagged before awaiting: the app may try to send from another task meanwhile.
            self.refused = True
            await _refuse(self._send, 413, "too_large", _too_large(self.cap), self.http1)
        # The response already started: the app alone may finish it. Its start carried
        # Connection: close (see send), so the connection ends with it and the server does
        # not go on to read the rest of the body.
        return _DISCONNECT

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # our 413 is the response; the app's late 500/400 would be a second one
        if message["type"] == "http.response.start":
            self.started = True
            if self.unbounded and not self.done and self.http1:
                # An answer given before a chunked body ends: without Connection: close the
                # server (uvicorn) keeps the connection and reads, then discards, the rest of
                # the body, however long the client cares to send.
                message = _with_close(message)
        await self._send(message)


_CONTROLS = "path: must not hold control characters (such as NUL) / 路径不能包含控制字符（如 NUL）"
_MALFORMED = "Content-Length: not a decimal byte count / Content-Length 不是十进制字节数"


def _too_large(cap: int) -> str:
    return f"body: larger than {size_text(cap)} / 请求体超过 {size_text(cap)}"


def _cap(cap: Any) -> int:
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        raise ValueError(f"body cap {cap!r}: a whole number of bytes, 0 or more")
    return cap


def _declared_length(values: list[bytes]) -> int | None:
    """The declared body length in bytes (0 if none is declared), or None if malformed.

    Only ASCII digits are valid (no sign, no spaces inside, no ``1e6``); several headers
    must agree. Huge digit strings are fine: they just compare as more than any cap.
    """
    lengths = {v.strip(b" \t") for v in values}
    if len(lengths) > 1:
        return None
    if not lengths:
        return 0
    (value,) = lengths
    if not value or not value.isdigit():  # bytes.isdigit is ASCII-only
        return None
    # int() refuses more than 4,300 digits (CVE-2020-10735 guard); no real cap has 19.
    digits = value.lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 18 else 10**18


def _only_disconnects(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        _, rest = exc.split(ClientDisconnect)
        return rest is None
    return isinstance(exc, ClientDisconnect)


def _with_close(message: Message) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
    return {**message, "headers": [*headers, (b"connection", b"close")]}


async def _refuse(send: Send, status: int, code: str, text: str, http1: bool) -> None:
    """Answer with qcert's error shape (the JSON of ``api.app._error``); ``text`` is
    ``"en / 中文"``, whose Chinese half is also the ``message_zh``."""
    error = {"code": code, "message": text, "message_zh": text.rpartition(" / ")[2]}
    body = json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if http1:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
