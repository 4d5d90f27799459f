"""``qcert credentials ...``: side effects owed to credentials and status lists."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from ..bootstrap import open_ledger
from ..bus import owed, reconcile
from ..credentials.keystore import KeyStore
from ..errors import QcertError
from ..store.uow import UnitOfWork
from ._common import bad, console, errors, ok, print_json, settings

app = typer.Typer(help="Certificate credentials. / 电子证书。", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]
HostOpt = Annotated[
    str | None,
    typer.Option(help="Public host credentials name (default QCERT_PUBLIC_HOST)"),
]


def _describe(cmd: object) -> str:
    name = type(cmd).__name__
    ids = getattr(cmd, "certification_ids", None) or (getattr(cmd, "certification_id", ""),)
    return f"{name} {', '.join(ids)}"


@app.command("reconcile")
@errors
def reconcile_command(
    ctx: typer.Context,
    host: HostOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is owed")] = False,
    json_: JsonOpt = False,
) -> None:
    """Issue the credentials and publish the status lists still owed (after a failure or a
    crash between a decision and its credential). / 补签电子证书、补发状态列表。"""
    cfg = settings(ctx)
    public_host = host or cfg.public_host
    if not public_host:
        raise QcertError("host: give --host or set QCERT_PUBLIC_HOST (it names the issuers)")
    engine = open_ledger(cfg).storage.engine  # type: ignore[attr-defined]
    keys = KeyStore(cfg.keys_dir / "bodies")
    if dry_run:
        pending = [_describe(c) for c in owed(engine, public_host)]
        if json_:
            print_json({"owed": pending})
        else:
            for line in pending or ["nothing owed / 无待办"]:
                console.print(line)
        return
    make = lambda: UnitOfWork(engine, actor="reconcile", keys=keys, host=public_host)  # noqa: E731
    with Progress(console=console, transient=True, disable=json_) as bar:
        task = bar.add_task("reconciling / 对账中", total=None)
        report = reconcile(
            make, public_host, lambda n, total: bar.update(task, completed=n, total=total)
        )
    if json_:
        print_json(
            {
                "done": [_describe(c) for c in report.done],
                "failed": [{"command": _describe(c), "error": e} for c, e in report.failed],
            }
        )
    else:
        for cmd in report.done:
            console.print(ok(_describe(cmd)))
        for cmd, why in report.failed:
            console.print(bad(f"{_describe(cmd)}: {why}"))
        if not report.done and not report.failed:
            console.print("nothing owed / 无待办")
    if report.failed:
        raise typer.Exit(1)
