"""Verification API benchmark: qcert's public endpoints against a minimal FastAPI endpoint.

Both apps run under uvicorn with the same options (one worker, 127.0.0.1, log level
warning), each in its own process on a free loopback port; the load comes from a third
process over HTTP/1.1 keep-alive connections: ``wrk`` when it is on the PATH, else a
Python (asyncio, raw sockets) load generator. The output names the one that ran.

Endpoints, each measured for the same time with the same number of connections, after
a warm-up (rows within a round are run in turn; with ``--rounds`` the median is printed):

- baseline: a minimal FastAPI app's ``GET /`` (``async def``, returns ``{"ok": true}``);
  also its ``GET /sync`` (a plain ``def``, run in the thread pool as qcert's routes are),
  shown for context only;
- ``GET /public/certificates/{number}``: a certificate looked up by number;
- ``POST /public/verify``: a real signed credential (eddsa-jcs-2022) checked;
- ``GET /v/{number}``: the verification page, when the app serves it (skipped on 404).

Each row: throughput (req/s), p50 and p99 latency (ms), the server process's CPU use
(100% = one core busy) and the throughput ratio to the baseline, with the target ratio.
Any non-2xx answer or socket error fails the run (exit status 1).

The store is the demo world (``qcert demo``), built in a temporary directory.

Run: ``make bench`` or ``.venv/bin/python bench/verify.py [--help]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from qcert.config import Settings

warnings.filterwarnings("ignore", category=DeprecationWarning)

HOST = "127.0.0.1"
BASELINE = 'minimal FastAPI app, GET / (async def, returns {"ok": true})'


@dataclass(frozen=True)
class Target:
    """One endpoint to load: which server, and the request sent on every connection."""

    name: str
    server: str  # "qcert" or "minimal"
    method: str
    path: str
    body: bytes = b""


@dataclass
class Figures:
    """What one timed run of one endpoint gave (times in seconds)."""

    requests: int
    seconds: float
    p50: float
    p99: float
    errors: dict[str, int] = field(default_factory=dict)
    server_cpu: float | None = None  # server CPU seconds per wall second

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float | None:
        """Server CPU seconds per request: steadier than throughput on a shared machine."""
        return None if self.server_cpu is None else self.server_cpu / self.rate


# --- servers ---------------------------------------------------------------------------------


def minimal_app() -> FastAPI:
    """The baseline: FastAPI with one small JSON endpoint (and a thread-pool twin)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/")
    async def root() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/sync")
    def sync() -> dict[str, bool]:
        return {"ok": True}

    return app


def settings_for(data_dir: Path) -> Settings:
    """Settings over a store in ``data_dir``, ignoring any ``QCERT_*`` variables set here; the
    public host is the demo's, which its credentials name as their issuers' domain."""
    from qcert.config import Settings
    from qcert.demo import DEMO_HOST

    return Settings(data_dir, f"sqlite:///{data_dir / 'qcert.db'}", DEMO_HOST)


def serve_main(kind: str, port: int, data_dir: Path | None) -> None:
    """Child process: run one app until terminated, with the options `qcert serve` uses."""
    import uvicorn

    if kind == "qcert":
        from qcert.server import serve

        assert data_dir is not None
        serve(settings_for(data_dir), HOST, port)  # the code path of `qcert serve`
    else:
        uvicorn.run(minimal_app(), host=HOST, port=port, log_level="warning")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    kind: str
    port: int
    process: subprocess.Popen[bytes]

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"


@contextmanager
def running(kind: str, data_dir: Path | None, log: Path) -> Iterator[Server]:
    """A server subprocess on a free port, ready to answer, stopped on exit."""
    port = free_port()
    cmd = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    with log.open("wb") as err:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    server = Server(kind, port, process)
    try:
        wait_ready(server, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(server: Server, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"error: the {server.kind} server exited at start:\n{tail}")
        try:
            with urllib.request.urlopen(server.url("/"), timeout=1):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    raise SystemExit(f"error: the {server.kind} server did not answer within {timeout:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` (all its threads), or None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields 14 and 15 of proc(5) (utime, stime), counted after the "(comm)" field.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A certificate of the demo store that is valid now, and its signed credential."""

    number: str
    credential: bytes
    entries: int
    certificates: int


def build_store(data_dir: Path) -> Sample:
    """Build the demo world in ``data_dir``; pick a valid certificate and its newest credential
    (issued by the demo under its public host, which the server is configured with)."""
    import sqlalchemy as sa

    from qcert.bootstrap import bootstrap
    from qcert.demo import build_demo
    from qcert.store import tables as t

    settings = settings_for(data_dir)
    build_demo(settings)
    services = bootstrap(settings)
    ledger, engine = services.ledger, services.engine
    c, cert = t.credentials, t.certificates
    with engine.connect() as conn:
        # A certification the demo already issues credentials for: its body has a key.
        chosen = conn.execute(
            sa.select(cert.c.certification_id, cert.c.number)
            .join(c, c.c.number == cert.c.number)
            .where(cert.c.status == "active")
            .order_by(cert.c.number)
        ).first()
    if chosen is None:
        raise SystemExit("error: the demo store holds no credential of an active certificate")
    with engine.connect() as conn:
        index = conn.execute(
            sa.select(sa.func.max(c.c.ledger_index)).where(c.c.number == chosen.number)
        ).scalar_one()
        count = conn.execute(sa.select(sa.func.count()).select_from(cert)).scalar_one()
    sample = Sample(chosen.number, ledger.entry(index), ledger.size(), count)
    services.close()
    return sample


def targets(sample: Sample) -> list[Target]:
    n = sample.number
    return [
        Target("minimal GET / (baseline)", "minimal", "GET", "/"),
        Target("minimal GET /sync (def)", "minimal", "GET", "/sync"),
        Target("GET /public/certificates/{number}", "qcert", "GET", f"/public/certificates/{n}"),
        Target("POST /public/verify", "qcert", "POST", "/public/verify", sample.credential),
        Target("GET /v/{number}", "qcert", "GET", f"/v/{n}"),
    ]


def probe(server: Server, target: Target) -> tuple[int, bytes]:
    """One request, to check the answer before loading the endpoint."""
    request = urllib.request.Request(
        server.url(target.path),
        data=target.body or None,
        method=target.method,
        headers={"Content-Type": "application/json"} if target.body else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def check_answer(target: Target, status: int, body: bytes) -> str | None:
    """None when the endpoint answers as it should; a reason to skip it; or exit on a bug."""
    if target.path.startswith("/v/") and status == 404:
        return "not served by this build (404)"
    if status != 200:
        raise SystemExit(f"error: {target.name}: status {status} before loading: {body[:300]!r}")
    if target.path.startswith("/public/"):
        verdict = json.loads(body).get("verdict", {}).get("code")
        if verdict != "valid":
            raise SystemExit(f"error: {target.name}: verdict {verdict!r}, expected 'valid'")
    return None


# --- load generators -------------------------------------------------------------------------


def wrk_version() -> str | None:
    exe = shutil.which("wrk")
    if exe is None:
        return None
    out = subprocess.run([exe, "-v"], capture_output=True, text=True).stdout
    return out.split(" [", 1)[0].strip() or "wrk"


_WRK_SCRIPT = """
wrk.method = "{method}"
{body}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, t in ipairs(threads) do non2xx = non2xx + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {{\\"requests\\": %.0f, \\"duration_us\\": %.0f, \\"p50_us\\": %.0f, " ..
    "\\"p99_us\\": %.0f, \\"non-2xx\\": %.0f, \\"connect\\": %.0f, \\"read\\": %.0f, " ..
    "\\"write\\": %.0f, \\"timeout\\": %.0f}}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    non2xx, e.connect, e.read, e.write, e.timeout))
end
"""


def wrk_script(target: Target) -> str:
    body = ""
    if target.body:
        level = next(n for n in range(1, 10) if b"]" + b"=" * n + b"]" not in target.body)
        eq = "=" * level
        body = (
            f"wrk.body = [{eq}[{target.body.decode()}]{eq}]\n"
            'wrk.headers["Content-Type"] = "application/json"'
        )
    return _WRK_SCRIPT.format(method=target.method, body=body)


def run_wrk(url: str, target: Target, seconds: int, connections: int, threads: int) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(wrk_script(target))
    try:
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        out = subprocess.run([*cmd, "-s", f.name, url], capture_output=True, text=True, check=False)
    finally:
        os.unlink(f.name)
    line = next((s for s in out.stdout.splitlines() if s.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"error: wrk failed on {target.name}: {out.stderr.strip()[:500]}")
    r = json.loads(line.removeprefix("WRKJSON "))
    errors = {k: int(r[k]) for k in ("non-2xx", "connect", "read", "write", "timeout") if r[k]}
    return Figures(
        int(r["requests"]), r["duration_us"] / 1e6, r["p50_us"] / 1e6, r["p99_us"] / 1e6, errors
    )


def run_python(url: str, target: Target, seconds: int, connections: int, _threads: int) -> Figures:
    """The Python load generator, in a process of its own."""
    spec = {
        "url": url,
        "method": target.method,
        "body": target.body.decode(),
        "seconds": seconds,
        "connections": connections,
    }
    out = subprocess.run(
        [sys.executable, __file__, "--load", json.dumps(spec)], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"error: the load generator failed: {out.stderr.strip()[-500:]}")
    r = json.loads(out.stdout)
    return Figures(r["requests"], r["seconds"], r["p50"], r["p99"], r["errors"])


def _request_bytes(method: str, host: str, path: str, body: bytes) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError("response without Content-Length (chunked answers are not read here)")


async def _connection(
    host: str, port: int, request: bytes, stop_at: float, out: list[float], errors: dict[str, int]
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        errors["connect"] = errors.get("connect", 0) + 1
        return
    try:
        while (start := time.perf_counter()) < stop_at:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(_content_length(head))
            out.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 2"):
                errors["non-2xx"] = errors.get("non-2xx", 0) + 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        errors["read"] = errors.get("read", 0) + 1
    finally:
        writer.close()


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    from urllib.parse import urlsplit

    url = urlsplit(spec["url"])
    host, port = url.hostname or HOST, url.port or 80
    request = _request_bytes(spec["method"], url.netloc, url.path, spec["body"].encode())
    latencies: list[float] = []
    errors: dict[str, int] = {}
    start = time.perf_counter()
    stop_at = start + spec["seconds"]
    await asyncio.gather(
        *(
            _connection(host, port, request, stop_at, latencies, errors)
            for _ in range(spec["connections"])
        )
    )
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50": pick(0.50) if latencies else 0.0,
        "p99": pick(0.99) if latencies else 0.0,
        "errors": errors,
    }


def load_main(spec: str) -> None:
    """Child process: load one URL, print the figures as JSON."""
    print(json.dumps(asyncio.run(_load(json.loads(spec)))))


# --- the run ---------------------------------------------------------------------------------

# (url, target, seconds, connections, threads) -> figures
Loader = Callable[[str, Target, int, int, int], Figures]


def measure(server: Server, target: Target, args: argparse.Namespace, load: Loader) -> Figures:
    """Warm up, then one timed run; any non-2xx answer or socket error stops everything."""
    url = server.url(target.path)
    for seconds, timed in ((args.warmup, False), (args.seconds, True)):
        if seconds <= 0:
            continue
        before = cpu_seconds(server.process.pid)
        figures = load(url, target, seconds, args.connections, args.threads)
        after = cpu_seconds(server.process.pid)
        if figures.errors or figures.requests == 0:
            errs = ", ".join(f"{n} {k}" for k, n in figures.errors.items()) or "no answers"
            phase = "run" if timed else "warm-up"
            raise SystemExit(
                f"error: {target.name}: {errs} in {figures.requests:,} requests ({phase})"
            )
        if before is not None and after is not None:
            figures.server_cpu = (after - before) / figures.seconds
    return figures


@dataclass(frozen=True)
class Summary:
    """The median over rounds of one endpoint's figures (times in seconds)."""

    rate: float
    p50: float
    p99: float
    server_cpu: float | None
    cpu_per_request: float | None


def summarise(runs: list[Figures]) -> Summary:
    med = statistics.median
    cpus = [r.server_cpu for r in runs if r.server_cpu is not None]
    per_request = [r.cpu_per_request for r in runs if r.cpu_per_request is not None]
    return Summary(
        med([r.rate for r in runs]),
        med([r.p50 for r in runs]),
        med([r.p99 for r in runs]),
        med(cpus) if cpus else None,
        med(per_request) if per_request else None,
    )


def report_rows(
    results: dict[str, Summary], todo: list[Target], target_ratio: float
) -> list[dict[str, Any]]:
    base = results[todo[0].name].rate
    rows = []
    for t in todo:
        f = results[t.name]
        ratio = f.rate / base
        rows.append(
            {
                "endpoint": t.name,
                "method": t.method,
                "path": t.path,
                "requests_per_s": round(f.rate, 1),
                "p50_ms": round(f.p50 * 1e3, 3),
                "p99_ms": round(f.p99 * 1e3, 3),
                "server_cpu": None if f.server_cpu is None else round(f.server_cpu, 3),
                "cpu_ms_per_request": (
                    None if f.cpu_per_request is None else round(f.cpu_per_request * 1e3, 4)
                ),
                "ratio": round(ratio, 3),
                "meets_target": None if t.server == "minimal" else ratio >= target_ratio,
            }
        )
    return rows


def print_table(header: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    h = header
    print(
        f"# verification API benchmark: {h['seconds']:g} s per endpoint after {h['warmup']:g} s "
        f"warm-up, {h['connections']} connections, median of {h['rounds']} round(s)"
    )
    print(f"# load: {h['loader']} in its own process; servers: {h['servers']}")
    print(f"# store: {h['store']}")
    print(f"# baseline: {BASELINE}; target ratio >= {h['target_ratio']}")
    print(
        f"  {'endpoint':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'server CPU':>12}{'CPU ms/req':>12}{'ratio':>8}"
    )
    for r in rows:
        cpu = "-" if r["server_cpu"] is None else f"{r['server_cpu']:.0%}"
        per = "-" if r["cpu_ms_per_request"] is None else f"{r['cpu_ms_per_request']:.3f}"
        mark = {None: "", True: "  ok", False: "  BELOW TARGET"}[r["meets_target"]]
        print(
            f"  {r['endpoint']:<36}{r['requests_per_s']:>9,.0f}{r['p50_ms']:>9.2f}"
            f"{r['p99_ms']:>9.2f}{cpu:>12}{per:>12}{'x' + format(r['ratio'], '.2f'):>8}{mark}"
        )
    for name, why in h["skipped"].items():
        print(f"  {name:<36}skipped: {why}")


def run(args: argparse.Namespace) -> None:
    version = wrk_version()
    if args.loader == "wrk" and version is None:
        raise SystemExit("error: --loader: wrk is not on the PATH (Debian: apt-get install wrk)")
    use_wrk = args.loader == "wrk" or (args.loader == "auto" and version is not None)
    load: Loader = run_wrk if use_wrk else run_python
    loader = f"{version} ({args.threads} thread(s))" if use_wrk else "Python asyncio generator"
    if not use_wrk and args.loader == "auto":
        loader += " (wrk not on the PATH)"
    import uvicorn

    with tempfile.TemporaryDirectory(prefix="qcert-bench-") as tmp:
        workdir = Path(tmp)
        progress("building the demo store")
        sample = build_store(workdir / "store")
        with (
            running("qcert", workdir / "store", workdir / "qcert.log") as qcert,
            running("minimal", None, workdir / "minimal.log") as minimal,
        ):
            servers = {"qcert": qcert, "minimal": minimal}
            todo, skipped = [], {}
            for t in targets(sample):
                why = check_answer(t, *probe(servers[t.server], t))
                if why:
                    skipped[t.name] = why
                else:
                    todo.append(t)
            runs: dict[str, list[Figures]] = {t.name: [] for t in todo}
            for r in range(args.rounds):
                for t in todo:
                    progress(f"round {r + 1}/{args.rounds}: {t.name}")
                    runs[t.name].append(measure(servers[t.server], t, args, load))
    results = {name: summarise(fs) for name, fs in runs.items()}
    header = {
        "seconds": args.seconds,
        "warmup": args.warmup,
        "connections": args.connections,
        "rounds": args.rounds,
        "loader": loader,
        "servers": f"uvicorn {uvicorn.__version__}, one worker each, {HOST}, log level warning",
        "store": f"demo world, {sample.entries} ledger entries, {sample.certificates} certificates",
        "baseline": BASELINE,
        "target_ratio": args.target,
        "cpus": os.cpu_count(),
        "skipped": skipped,
    }
    rows = report_rows(results, todo, args.target)
    if args.json:
        print(json.dumps({**header, "results": rows}, indent=2, ensure_ascii=False))
    else:
        print_table(header, rows)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    # Whole seconds: wrk takes no fractions.
    ap.add_argument("--seconds", type=int, default=10, help="timed load per endpoint (s)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed load before each run (s)")
    ap.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    ap.add_argument("--rounds", type=int, default=1, help="rounds over all endpoints (median)")
    ap.add_argument(
        "--threads",
        type=int,
        default=max(1, min(4, (os.cpu_count() or 2) - 1)),
        help="wrk threads (default: one CPU per thread, one CPU left to the server)",
    )
    ap.add_argument("--loader", choices=("auto", "wrk", "python"), default="auto")
    ap.add_argument("--target", type=float, default=0.5, help="throughput ratio to reach")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    # Entry points of the child processes.
    ap.add_argument("--serve", choices=("qcert", "minimal"), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--load", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve_main(args.serve, args.port, args.data_dir)
    elif args.load:
        load_main(args.load)
    else:
        if args.connections < args.threads or args.rounds < 1 or args.seconds <= 0:
            ap.error("need --connections >= --threads, --rounds >= 1 and --seconds > 0")
        run(args)


if __name__ == "__main__":
    main()
