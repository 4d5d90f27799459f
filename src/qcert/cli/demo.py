"""``qcert demo``: a fresh demo store built from a generated world, then served.

Two things are checked before anything is touched: that no other ``qcert demo`` holds the demo
store (a second run would wipe the files the first one serves from under it), and that the port
is free (found only after the rebuild, the store would have been wiped for nothing).
"""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import shlex
import shutil
import socket
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from ..config import Settings
from ._common import console, errors, refusal, settings
from ._words import both, said

if TYPE_CHECKING:
    from ..demo import DemoResult

__all__ = ["demo", "qcert_command"]

LOCK_FILE = "demo.lock"  # in the data directory, beside (not inside) the demo store it guards
HOST = "127.0.0.1"  # the demo serves on loopback only, over plain http
_held: list[IO[str]] = []  # the lock's open file: held, so locked, as long as this process runs


def claim_store(data_dir: Path, port: int | None) -> IO[str]:
    """Lock ``data_dir``'s demo store for this process, or refuse naming the process that
    holds it. The lock is an advisory ``flock`` on ``demo.lock``: the system releases it when
    its process ends, however it ends, so a crashed demo never leaves the store locked."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise refusal("demo.store_in_use", store=data_dir / "demo", holder=holder) from None
    handle.seek(0)
    handle.truncate()
    where = f", serving port {port}" if port is not None else ""
    handle.write(f"process {os.getpid()}{where}\n")
    handle.flush()
    _held.append(handle)
    return handle


def check_port(port: int) -> None:
    """Refuse when ``port`` on the demo's interface cannot be listened on. The probe binds as
    uvicorn does (``SO_REUSEADDR``), so a port left in TIME_WAIT by an earlier run is free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as err:
            raise refusal(
                "demo.port_in_use", host=HOST, port=port, error=err.strerror, next=port + 1
            ) from None


def qcert_command(data_dir: Path) -> str:
    """How to run the command line on the demo store, as the user can type it here: the
    ``qcert`` this process was started as (``qcert`` if that is the one on the PATH, else its
    path, relative when it lies under the current directory), led by ``QCERT_DATA_DIR=…``
    unless the environment already points there."""
    started = Path(sys.argv[0])
    on_path = shutil.which("qcert")
    if started.name != "qcert" or not started.exists():
        started = Path(sys.executable).with_name("qcert")
    if on_path and Path(on_path).resolve() == started.resolve():
        program = "qcert"
    else:
        program = _relative(started.absolute())
    prefix = ""
    if Path(os.environ.get("QCERT_DATA_DIR", "")).absolute() != data_dir.absolute():
        prefix = f"QCERT_DATA_DIR={shlex.quote(str(data_dir))} "
    return prefix + shlex.quote(program)


class _FewCollections:
    """Python's cycle collector runs less often while the demo's modules load and its world is
    built: millions of short-lived objects had it run thousands of times, an eighth of the
    build's CPU time. (The caller also freezes what is loaded, which lives as long as this
    process, out of every collection.) The server that follows collects as usual."""

    def __enter__(self) -> None:
        self.before = gc.get_threshold()
        gc.set_threshold(10_000, 20, 20)

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self.before)


def _label(words: str, width: int) -> str:
    """``words:`` padded to ``width`` columns as the terminal shows them (a Chinese character
    takes two), so the values after the labels line up."""
    from rich.cells import cell_len

    label = words + ":"
    return label + " " * max(1, width - cell_len(label))


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@errors
def demo(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="TCP port for the API (on 127.0.0.1)")
    ] = 8000,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API after filling the store")
    ] = True,
    size: Annotated[
        int, typer.Option(min=0, help="Generated client organisations (besides the 12 named)")
    ] = 300,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated world (same seed, same world)")
    ] = 7,
) -> None:
    """Fresh demo store: a generated world, a signed checkpoint, then the API. / 演示。"""
    cfg = settings(ctx)
    demo_cfg = Settings.from_env(cfg.data_dir / "demo", ctx.find_root().obj.get("database_url"))
    if not demo_cfg.database_url.startswith("sqlite"):
        raise refusal("demo.sqlite_only")
    # Both checks come before the store is wiped: a refusal leaves everything as it was.
    claim_store(cfg.data_dir, port if serve_api else None)
    if serve_api:
        check_port(port)
    from ..demo_world import DEMO_ACCOUNTS, DEMO_PASSWORD
    from ..security import hash_shared

    # The demo accounts share the password printed below: one argon2id hash serves them all,
    # made on another core while the build's modules load.
    hash_shared(DEMO_PASSWORD, len(DEMO_ACCOUNTS))
    with _FewCollections():
        from rich.progress import Progress

        from ..demo import build_demo

        gc.freeze()  # the modules just loaded: no collection need ever walk them again
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task(both("demo.building"), total=None)
            result = build_demo(
                demo_cfg,
                size=size,
                seed=seed,
                progress=lambda n, total: bar.update(task, completed=n, total=total),
                host=f"{HOST}:{port}",  # where it is served: its bodies' did:web host
            )
    _report(result, demo_cfg.data_dir, qcert_command(demo_cfg.data_dir))
    if serve_api:
        from ..server import serve as run

        base = f"http://{HOST}:{port}"
        example = f"(e.g. demo-decider / {DEMO_PASSWORD})"
        console.print(
            f"\n{_label(both('demo.workspace'), 26)}{base}/signin  {example}\n"
            f"{_label(both('demo.verification'), 26)}{base}/verify\n"
            f"{_label(both('demo.ledger'), 26)}{base}/transparency\n"
            f"{_label(both('demo.api'), 26)}{base}/docs"
        )
        run(demo_cfg, HOST, port)


def _report(result: DemoResult, store: Path, qcert: str) -> None:
    """Print what the demo holds and commands to try on it, each runnable as printed."""
    from ..demo_evidence import LINES
    from ..demo_world import DEMO_ACCOUNTS, DEMO_PASSWORD

    examined = LINES[0][0]  # the organisation whose line has the planted fault and its alarm
    console.print(both("demo.store", store=store, entries=result.entries))
    if (w := result.world) is not None:
        world = both(
            "demo.world",
            bodies=w.bodies,
            auditors=w.auditors,
            clients=w.clients,
            provinces=w.provinces,
            certifications=w.certifications,
            first_day=w.first_day,
            last_day=w.last_day,
            seconds=result.seconds,
        )
        console.print(world + "\n")
    console.print(both("demo.stages") + ":")
    for stage, cid in result.stages.items():
        console.print(f"  {stage:<20} {cid}")
    appealed = result.stages.get("appealed", "demo-cert-11")
    console.print(both("demo.try") + ":")
    console.print(f"  {_label(both('demo.examination'), 33)}{qcert} quality examine {examined}")
    console.print(f"  {_label(both('demo.certification'), 33)}{qcert} lifecycle show {appealed}")
    if (e := result.evidence) is not None and e.alarm_seq is not None:
        en, zh = said(
            "demo.evidence",
            lines=len(e.devices),
            readings=e.readings,
            windows=e.windows,
            device=e.devices[0],
            delay=e.delay,
            top=e.alarm_top[:2],
        )
        console.print(f"{both('demo.evidence_label')}: {en} / {zh}")
    console.print(both("demo.checkpoint") + ":")
    typer.echo(result.checkpoint)
    console.print(f"{both('demo.accounts')} ({both('account.password')}: {DEMO_PASSWORD}):")
    for name, roles in DEMO_ACCOUNTS.items():
        console.print(f"  {name:<15} {', '.join(roles)}")
    console.print(both("demo.vkeys") + ":")
    for v in result.vkeys:
        typer.echo(f"  {v}")
