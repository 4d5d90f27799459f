"""BodyLimit: request bodies are capped before the application reads them.

The in-process tests drive a tiny FastAPI app through httpx's ASGITransport, which hands the
request body to the app one chunk per ``receive()`` and reads the next chunk only when asked,
so the number of chunks a generator yields shows how far the body was read. The last test
runs a real uvicorn server and watches its memory while 256 MiB are thrown at it.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from qcert.api.limits import DEFAULT_CAP, BodyLimit, KiB, MiB, size_text
from tests.served import memory, post_chunked, post_declared, reset_peak, stop_process

UPLOAD_CAP = 10 * MiB + 64 * KiB  # bytes: a 10 MiB document plus its multipart framing

calls: Counter[str] = Counter()


def _api() -> FastAPI:
    api = FastAPI()

    @api.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        calls["echo"] += 1
        return {"length": len(await request.body())}

    @api.post("/form")
    async def form(request: Request) -> dict[str, int]:
        calls["form"] += 1
        fields = await request.form()
        return {"fields": len(fields)}

    @api.post("/upload/document")
    async def upload(request: Request) -> dict[str, int]:
        calls["upload"] += 1
        return {"length": len(await request.body())}

    @api.post("/portal/{client}/documents")
    async def documents(request: Request) -> dict[str, int]:
        calls["documents"] += 1
        return {"length": len(await request.body())}

    @api.post("/early")
    async def early() -> dict[str, str]:
        calls["early"] += 1
        return {"read": "nothing"}  # answers without reading the body, as a 401 would

    @api.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return api


APP = BodyLimit(
    _api(),
    rules=[("/upload/", UPLOAD_CAP), (re.compile(r"/portal/[^/]+/documents"), 2 * MiB)],
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _reset_calls() -> Iterator[None]:
    calls.clear()
    yield


def _client(app: Any = APP) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


class Chunks:
    """An async body of ``count`` chunks of ``size`` bytes that remembers how many it yielded;
    the first chunk starts with ``head`` (and is that much longer)."""

    def __init__(self, size: int, count: int, head: bytes = b"") -> None:
        self.size, self.count, self.head, self.yielded = size, count, head, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(self.count):
            self.yielded += 1
            yield (b"" if i else self.head) + b"x" * self.size

    @property
    def bytes_yielded(self) -> int:
        return self.yielded * self.size


def _error(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "message_zh"}
    # The Chinese slot holds the Chinese half of the bilingual message, not the English.
    assert body["error"]["message"].endswith(" / " + body["error"]["message_zh"])
    return body["error"]


# --- under the cap ---


@pytest.mark.anyio
async def test_a_body_up_to_the_cap_reaches_the_app_whole():
    async with _client() as client:
        at_cap = await client.post("/echo", content=b"a" * DEFAULT_CAP)
        streamed = await client.post("/echo", content=Chunks(16 * KiB, 4))  # chunked, 64 KiB
        small = await client.post("/echo", content=b'{"command": "plan-audit"}')
    assert at_cap.status_code == 200 and at_cap.json() == {"length": DEFAULT_CAP}
    assert streamed.status_code == 200 and streamed.json() == {"length": 64 * KiB}
    assert small.status_code == 200 and small.json() == {"length": 25}
    assert calls["echo"] == 3
    # A body read to its end leaves the connection reusable.
    assert "connection" not in at_cap.headers and "connection" not in streamed.headers


@pytest.mark.anyio
async def test_a_form_under_the_cap_is_parsed():
    async with _client() as client:
        response = await client.post("/form", data={"a": "1", "b": "2"}, files={"f": b"z" * 1000})
    assert response.status_code == 200 and response.json() == {"fields": 3}


# --- over the cap by Content-Length: refused without calling the app ---


@pytest.mark.anyio
async def test_a_declared_length_over_the_cap_is_refused_before_the_app_runs():
    async with _client() as client:
        response = await client.post("/echo", content=b"a" * (DEFAULT_CAP + 1))
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert _error(response) == {
        "code": "too_large",
        "message": "body: larger than 64 KiB / 请求体超过 64 KiB",
        "message_zh": "请求体超过 64 KiB",
    }
    assert calls["echo"] == 0


@pytest.mark.anyio
async def test_a_declared_length_is_refused_without_reading_the_body():
    body = Chunks(16 * KiB, 64)
    async with _client() as client:
        response = await client.post("/form", content=body, headers={"Content-Length": str(MiB)})
    assert response.status_code == 413
    assert body.yielded == 0  # not one chunk was asked for
    assert calls["form"] == 0


@pytest.mark.anyio
async def test_a_huge_declared_length_is_just_too_large():
    # 5,000 digits: int() alone would refuse it (CPython's 4,300-digit guard).
    async with _client() as client:
        response = await client.post("/echo", content=b"", headers={"Content-Length": "9" * 5000})
    assert response.status_code == 413 and _error(response)["code"] == "too_large"
    assert calls["echo"] == 0


# --- over the cap while streaming: cut off as soon as the count passes the cap ---


@pytest.mark.anyio
async def test_a_chunked_body_is_cut_off_once_past_the_cap():
    body = Chunks(16 * KiB, 64)  # 1 MiB, no Content-Length
    async with _client() as client:
        response = await client.post("/echo", content=body)
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert _error(response)["message"] == "body: larger than 64 KiB / 请求体超过 64 KiB"
    assert calls["echo"] == 1  # the app ran, saw the client "leave", and its answer was dropped
    # 64 KiB in four chunks, then the chunk that passed the cap: and not one more.
    assert body.bytes_yielded == DEFAULT_CAP + 16 * KiB


@pytest.mark.anyio
async def test_a_chunked_form_is_cut_off_and_the_parsers_failure_is_not_a_second_answer():
    # Starlette's form parser raises ClientDisconnect; ServerErrorMiddleware then tries a 500
    # and re-raises. ASGITransport asserts a single response start and re-raises app errors,
    # so this passes only if the late 500 is dropped and the disconnect swallowed.
    part = b'--b\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n'
    body = Chunks(32 * KiB, 64, head=part)
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    async with _client() as client:
        response = await client.post("/form", content=body, headers=headers)
    assert response.status_code == 413
    assert calls["form"] == 1
    assert body.yielded == 2  # the part's head and 32 KiB, then the 32 KiB that passed 64 KiB


@pytest.mark.anyio
async def test_a_content_length_that_lies_small_is_cut_off_at_the_cap():
    # h11 would stop at the declared length itself; other servers or transports may not.
    body = Chunks(16 * KiB, 64)
    async with _client() as client:
        response = await client.post("/echo", content=body, headers={"Content-Length": "10"})
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"
    assert body.bytes_yielded == DEFAULT_CAP + 16 * KiB


# --- rules for upload routes ---


@pytest.mark.anyio
async def test_an_upload_prefix_has_its_own_larger_cap():
    body = b"u" * (5 * MiB)
    async with _client() as client:
        upload = await client.post("/upload/document", content=body)
        elsewhere = await client.post("/echo", content=body)
        at_cap = await client.post("/upload/document", content=Chunks(UPLOAD_CAP // 4, 4))
        over = await client.post("/upload/document", content=b"u" * (UPLOAD_CAP + 1))
        streamed_over = await client.post("/upload/document", content=Chunks(MiB, 20))
    assert upload.status_code == 200 and upload.json() == {"length": 5 * MiB}
    assert elsewhere.status_code == 413
    assert at_cap.status_code == 200 and at_cap.json() == {"length": UPLOAD_CAP}
    assert over.status_code == 413 and streamed_over.status_code == 413
    message = "body: larger than 10304 KiB / 请求体超过 10304 KiB"
    assert _error(over)["message"] == message
    assert _error(streamed_over)["message"] == message
    assert calls["upload"] == 3  # upload, at_cap, streamed_over; never the declared one


@pytest.mark.anyio
async def test_a_pattern_rule_must_match_the_whole_path():
    body = b"p" * MiB
    async with _client() as client:
        matched = await client.post("/portal/c-1/documents", content=body)
        longer = await client.post("/portal/c-1/documents/extra", content=body)
    assert matched.status_code == 200 and matched.json() == {"length": MiB}
    assert longer.status_code == 413  # falls back to the default cap


def test_the_first_matching_rule_wins_and_caps_are_checked():
    limit = BodyLimit(_api(), default=100, rules=[("/a/b", 5), ("/a", 50), (re.compile("/x"), 7)])
    assert [limit.cap_for(p) for p in ("/a/b/c", "/a/c", "/x", "/xy", "/")] == [5, 50, 7, 100, 100]
    for bad in (-1, 1.5, "10", True):
        with pytest.raises(ValueError, match="body cap"):
            BodyLimit(_api(), default=bad)
    with pytest.raises(TypeError, match="prefix"):
        BodyLimit(_api(), rules=[(b"/upload", MiB)])


def test_sizes_are_stated_exactly():
    assert [size_text(n) for n in (64 * KiB, 10 * MiB, UPLOAD_CAP, 1000, 0)] == [
        "64 KiB",
        "10 MiB",
        "10304 KiB",
        "1000 bytes",
        "0 bytes",
    ]


# --- malformed Content-Length ---


@pytest.mark.anyio
@pytest.mark.parametrize(
    "value", [b"abc", b"-1", b"+5", b"1e3", b"0x10", b"1 0", "１０".encode(), b""]
)
async def test_a_malformed_content_length_is_a_400_naming_the_header(value):
    async with _client() as client:
        response = await client.post("/echo", content=b"", headers={"Content-Length": value})
    assert response.status_code == 400
    assert response.headers["connection"] == "close"
    assert _error(response) == {
        "code": "invalid",
        "message": "Content-Length: not a decimal byte count / Content-Length 不是十进制字节数",
        "message_zh": "Content-Length 不是十进制字节数",
    }
    assert calls["echo"] == 0


@pytest.mark.anyio
async def test_two_content_lengths_must_agree():
    headers = [("Content-Length", "3"), ("Content-Length", "4")]
    async with _client() as client:
        differ = await client.post("/echo", content=b"abc", headers=headers)
        agree = await client.post("/echo", content=b"abc", headers=[*headers[:1], *headers[:1]])
        padded = await client.post("/echo", content=b"abc", headers={"Content-Length": "003"})
    assert differ.status_code == 400 and _error(differ)["code"] == "invalid"
    assert agree.status_code == 200 and agree.json() == {"length": 3}
    assert padded.status_code == 200 and padded.json() == {"length": 3}


# --- what passes through untouched, and answers given before the body ends ---


@pytest.mark.anyio
async def test_lifespan_and_websocket_scopes_pass_through():
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> Message:
        raise AssertionError("not called")

    async def drop(message: Message) -> None:
        raise AssertionError("not called")

    limit = BodyLimit(app, default=0)
    for kind in ("lifespan", "websocket"):
        # Content-Length on a websocket is nonsense; it must not be looked at.
        scope = {"type": kind, "path": "/", "headers": [(b"content-length", b"zzz")]}
        await limit(scope, nothing, drop)
    assert seen == ["lifespan", "websocket"]


@pytest.mark.anyio
async def test_an_answer_before_a_chunked_body_ends_closes_the_connection():
    # Otherwise uvicorn keeps the connection and reads, then discards, the rest of the body.
    async with _client() as client:
        chunked = await client.post("/early", content=Chunks(KiB, 4))
        declared = await client.post("/early", content=b"d" * KiB)
        no_body = await client.get("/hello")
    assert chunked.status_code == 200 and chunked.headers["connection"] == "close"
    assert "connection" not in declared.headers  # at most the (capped) declared length is left
    assert "connection" not in no_body.headers


@pytest.mark.anyio
async def test_a_body_passing_the_cap_after_the_answer_started_just_disconnects():
    # An app that starts answering, then reads the body: too late for a 413.
    got: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (message := await receive())["type"] == "http.request":
            got.append(message)
        got.append(message)
        again = await receive()
        got.append(again)
        await send({"type": "http.response.body", "body": b"stopped", "more_body": False})

    body = Chunks(40 * KiB, 10)
    async with _client(BodyLimit(app)) as client:
        response = await client.post("/", content=body)
    assert response.status_code == 200 and response.content == b"stopped"
    assert response.headers["connection"] == "close"  # the connection ends with this answer
    assert [m["type"] for m in got] == ["http.request", "http.disconnect", "http.disconnect"]
    assert sum(len(m.get("body", b"")) for m in got) == 40 * KiB  # the 80 KiB chunk was dropped
    assert body.yielded == 2


@pytest.mark.anyio
async def test_an_app_error_that_is_not_a_disconnect_still_propagates():
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        raise RuntimeError("the app's own bug")

    async with _client(BodyLimit(app)) as client:
        with pytest.raises(RuntimeError, match="own bug"):
            await client.post("/", content=Chunks(80 * KiB, 2))


# --- a real server: memory stays flat under 256 MiB ---

SERVER = textwrap.dedent(
    """
    import socket
    import uvicorn
    from fastapi import FastAPI, Request
    from qcert.api.limits import BodyLimit

    api = FastAPI()

    @api.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        BodyLimit(api), http="h11", lifespan="off", log_level="warning", access_log=False
    )
    uvicorn.Server(config).run(sockets=[sock])
    """
)
HUGE = 256 * MiB


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"the server did not start: {proc.communicate(timeout=5)[1]}")
        port = int(line)
        for _ in range(100):  # the socket is bound before uvicorn listens on it
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except ConnectionRefusedError:
                time.sleep(0.02)
        yield proc, port
    finally:
        stop_process(proc)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_real_server_refuses_256_mib_early_and_its_memory_stays_flat(server):
    proc, port = server
    # The first requests allocate; that growth is not the body's.
    warm = post_chunked(port, "/echo", 16 * KiB, 16 * KiB)[0]
    assert warm.startswith(b"HTTP/1.1 200 ") and warm.endswith(b'{"length":16384}')

    before = memory(proc.pid)
    peak_tracked = reset_peak(proc.pid)
    started = time.monotonic()
    answer, sent = post_chunked(port, "/echo", HUGE)
    elapsed = time.monotonic() - started
    after = memory(proc.pid)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"connection: close" in head.lower()
    assert json.loads(body)["error"]["code"] == "too_large"
    # What the client got rid of is an upper bound on what the server read: besides the
    # ~64 KiB it took in, loopback socket buffers hold a few MiB (2.5-3 MiB measured).
    assert sent < 16 * MiB, f"the client sent {sent / MiB:.1f} MiB before noticing"
    grown = (after["VmHWM"] if peak_tracked else after["VmRSS"]) - before["VmRSS"]
    assert grown < 20 * MiB, f"server memory grew by {grown / MiB:.1f} MiB"

    declared = post_declared(port, "/echo", HUGE)
    assert declared.startswith(b"HTTP/1.1 413 "), declared[:200]
    message = json.loads(declared.partition(b"\r\n\r\n")[2])["error"]["message"]
    assert message == "body: larger than 64 KiB / 请求体超过 64 KiB"
    assert memory(proc.pid)["VmRSS"] - before["VmRSS"] < 20 * MiB

    proc.terminate()
    _, errors = proc.communicate(timeout=5)
    assert "Traceback" not in errors and "Exception in ASGI" not in errors, errors
    print(
        f"\n256 MiB chunked: answered after {sent / MiB:.2f} MiB sent, {elapsed * 1000:.0f} ms;"
        f" server RSS {before['VmRSS'] / MiB:.1f} -> {after['VmRSS'] / MiB:.1f} MiB,"
        f" peak {after['VmHWM'] / MiB:.1f} MiB (peak reset: {peak_tracked})"
    )
