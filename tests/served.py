"""Real servers for tests that need one: ``qcert serve`` in a process of its own, and raw-socket
requests that can stream a body and watch the answer while they do."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KiB, MiB = 1024, 1024 * 1024

__all__ = [
    "KiB",
    "MiB",
    "memory",
    "post_chunked",
    "post_declared",
    "qcert_serve",
    "qcert_servers",
    "reset_peak",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def qcert_serve(
    env: dict[str, str], timeout: float = 60.0
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``qcert serve`` on a free 127.0.0.1 port with ``env`` (``QCERT_*``), ready to answer;
    stopped on exit. Yields the process and its port."""
    with qcert_servers([env], timeout) as [served]:
        yield served


@contextmanager
def qcert_servers(
    envs: list[dict[str, str]], timeout: float = 60.0
) -> Iterator[list[tuple[subprocess.Popen[str], int]]]:
    """``qcert serve`` once for each of ``envs``, as :func:`qcert_serve`, all started before
    any is waited for: a start is mostly the interpreter importing qcert, which the machine's
    cores do side by side. Yields each process and its port, in the order of ``envs``."""
    started: list[tuple[subprocess.Popen[str], int]] = []
    try:
        for env in envs:
            started.append(_start(env))
        deadline = time.monotonic() + timeout
        for proc, port in started:
            _wait_ready(proc, port, deadline)
        yield started
    finally:
        for proc, _ in started:
            stop_process(proc)


def _start(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    command = [sys.executable, "-c", "from qcert.cli.main import app; app()"]
    proc = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, port


def _wait_ready(proc: subprocess.Popen[str], port: int, deadline: float) -> None:
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"qcert serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, "qcert serve did not answer in time"
            time.sleep(0.1)


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Terminate ``proc``; kill it if it has not ended within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def memory(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident at its highest) of ``pid``, in bytes."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {k: int(fields[k].split()[0]) * KiB for k in ("VmRSS", "VmHWM")}


def reset_peak(pid: int) -> bool:
    """Restart VmHWM from the current RSS (Linux 4.0+); False where not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read_answer(sock: socket.socket) -> bytes:
    """One answer with a Content-Length, or what came before the server closed."""
    sock.setblocking(True)
    sock.settimeout(5)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
            head, found, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length: *(\d+)", head)
            if found and length and len(body) >= int(length[1]):
                break
    except (ConnectionResetError, TimeoutError):
        pass
    return answer


def _head(path: str) -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n".encode()


def post_chunked(port: int, path: str, total: int, size: int = 64 * KiB) -> tuple[bytes, int]:
    """Stream ``total`` bytes of body to ``path``, chunked, until the server answers or hangs
    up; the answer, and how many body bytes the kernel took from us (an upper bound on what
    the server read)."""
    frame = b"%x\r\n%s\r\n" % (size, b" " * size)
    whole = total // size * len(frame)
    sent, pending = 0, memoryview(frame)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(_head(path) + b"Transfer-Encoding: chunked\r\n\r\n")
        sock.setblocking(False)
        deadline = time.monotonic() + 20
        while sent < whole and time.monotonic() < deadline:
            # Watch for the answer between sends: read it before the server's close resets the
            # connection (unread body bytes make the kernel answer with RST).
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                break
            if writable:
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += n
                pending = pending[n:] or memoryview(frame)
        if sent == whole:
            sock.setblocking(True)
            sock.sendall(b"0\r\n\r\n")
        return _read_answer(sock), sent


def post_declared(port: int, path: str, length: int) -> bytes:
    """Announce ``length`` bytes of body to ``path``, send none, and return the answer."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(_head(path) + b"Content-Length: %d\r\n\r\n" % length)
        return _read_answer(sock)
