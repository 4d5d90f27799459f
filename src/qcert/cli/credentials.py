"""``qcert credentials ...``: side effects owed to credentials and status lists."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from ..access import decide
from ._common import bad, console, errors, ok, principal, print_json, services, warn
from ._words import both

app = typer.Typer(help="Certificate credentials. / 电子证书。", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


def _describe(cmd: object) -> str:
    name = type(cmd).__name__
    ids = getattr(cmd, "certification_ids", None) or (getattr(cmd, "certification_id", ""),)
    return f"{name} {', '.join(ids)}"


@app.command("reconcile")
@errors
def reconcile_command(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is owed")] = False,
    json_: JsonOpt = False,
) -> None:
    """Issue the credentials and publish the status lists still owed (after a failure or a
    crash between a decision and its credential), as the platform itself; the issuers'
    host is the configured one (QCERT_PUBLIC_HOST). / 补签电子证书、补发状态列表。"""
    decide(principal(ctx), "credentials.reconcile")
    bus = services(ctx).bus
    if not bus.host:
        warn(both("credentials.no_public_host"))
    if dry_run:
        pending = [_describe(c) for c in bus.owed()]
        if json_:
            print_json({"owed": pending})
        else:
            for line in pending or [both("credentials.nothing_owed")]:
                console.print(line)
        return
    with Progress(console=console, transient=True, disable=json_) as bar:
        task = bar.add_task(both("credentials.reconciling"), total=None)
        report = bus.reconcile(lambda n, total: bar.update(task, completed=n, total=total))
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
            console.print(both("credentials.nothing_owed"))
    if report.failed:
        raise typer.Exit(1)
