"""``qcert serve`` as it runs in production: a process of its own, and two of them behind one
address. Anonymous bodies far over the caps are refused before they are read, with the server's
memory flat; a session ended on one worker is ended on the other, and the sign-in delay counts
on both, whether sessions live in the database or in Redis."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from tests.served import (
    MiB,
    memory,
    post_chunked,
    post_declared,
    qcert_serve,
    qcert_servers,
    reset_peak,
)

PASSWORD = "correct horse battery"


def _redis_url() -> str:
    """A Redis database for this test process alone: the servers keep their keys under the
    product's fixed prefix, and sign-in failures count per client address (127.0.0.1 for
    every test), so two pytest-xdist workers sharing one database would slow each other's
    sign-ins. Worker gwN takes database 14 - N."""
    if url := os.environ.get("QCERT_TEST_REDIS_URL"):
        return url
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return f"redis://127.0.0.1:6379/{14 - worker % 14}"


REDIS_URL = _redis_url()
pytestmark = [
    pytest.mark.skipif(
        not Path("/proc/self/status").exists(), reason="reads a server's memory from /proc (Linux)"
    ),
    pytest.mark.long,  # scheduled first (tests/conftest.py)
]


@pytest.fixture
def installation(tmp_path: Path, database_url: str) -> dict[str, str]:
    """An initialised installation with one account (``ann``, no roles), on the test database."""
    env = {"QCERT_DATA_DIR": str(tmp_path / "data"), "QCERT_DATABASE_URL": database_url}
    runner = CliRunner()
    for args in (
        ["init"],
        [
            "lifecycle",
            "do",
            "open-account",
            json.dumps(
                {"account_id": "ann", "display_name": "Ann", "roles": [], "password": PASSWORD}
            ),
        ],
    ):
        done = runner.invoke(app, args, env=env)
        assert done.exit_code == 0, done.output
    return env


def test_a_body_far_over_the_cap_is_refused_before_it_is_read(installation):
    with qcert_serve(installation) as (proc, port):
        warm = post_declared(port, "/public/verify", 0)  # first requests allocate; not the body
        assert warm.startswith(b"HTTP/1.1 422 ")
        before = memory(proc.pid)
        peak = reset_peak(proc.pid)
        answer, sent = post_chunked(port, "/public/verify", 256 * MiB)
        after = memory(proc.pid)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 "), answer[:300]
        assert json.loads(body)["error"]["code"] == "too_large"
        assert sent < 16 * MiB, f"the client got {sent / MiB:.1f} MiB out before the answer"
        grown = (after["VmHWM"] if peak else after["VmRSS"]) - before["VmRSS"]
        assert grown < 20 * MiB, f"the server grew by {grown / MiB:.1f} MiB"
        declared = post_declared(port, "/public/verify", 256 * MiB)
        assert declared.startswith(b"HTTP/1.1 413 "), declared[:300]
        for path in ("/api/v1/commands/register-body", "/api/v1/documents", "/signin"):
            assert post_declared(port, path, 64 * MiB).startswith(b"HTTP/1.1 413 "), path
        assert memory(proc.pid)["VmRSS"] - before["VmRSS"] < 20 * MiB


def _call(
    port: int, path: str, body: dict[str, Any] | None = None, token: str = ""
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None or path.endswith("signout") else "GET",
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
            return answer.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.mark.parametrize("where", ["database", "redis"])
def test_two_workers_behind_one_address_behave_as_one(installation, where):
    env = dict(installation)
    if where == "redis":
        from tests.integration.test_identity import redis_client

        # Reachable (under CI=true, a failure if it is not), and none of the product's keys
        # left by a run before: no sessions, no failure counts.
        client = redis_client(REDIS_URL)
        for key in client.scan_iter(match="qcert:*"):
            client.delete(key)
        env["QCERT_REDIS_URL"] = REDIS_URL
    # Both started at once, as a supervisor starts its workers.
    with qcert_servers([env, env]) as [(_, one), (_, two)]:
        status, signed = _call(one, "/api/v1/auth/token", {"username": "ann", "password": PASSWORD})
        assert status == 200
        token = signed["access_token"]
        assert _call(two, "/api/v1/me", token=token)[1]["account_id"] == "ann"
        assert _call(one, "/api/v1/auth/signout", token=token)[0] == 204
        assert _call(two, "/api/v1/me", token=token)[0] == 401  # ended on the other worker too
        for _ in range(3):
            wrong = {"username": "ann", "password": "not it at all"}
            assert _call(one, "/api/v1/auth/token", wrong)[0] == 401
        slowed, body = _call(two, "/api/v1/auth/token", {"username": "ann", "password": PASSWORD})
        assert slowed == 429 and "too many failed sign-ins" in body["error"]["message"]
        time.sleep(1.2)  # the wait after three failures: 1 s
        assert _call(two, "/api/v1/auth/token", {"username": "ann", "password": PASSWORD})[0] == 200
