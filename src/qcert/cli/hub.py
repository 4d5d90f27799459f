"""``qcert hub ...``: the supervision hub's random inspection campaigns (双随机、一公开).

A regulator makes a secret seed (``qcert hub seed``), commits to it with the campaign's inputs
(``qcert hub commit``), reveals it to draw (``qcert hub reveal``) and publishes each result
(``qcert hub result``). Anyone re-runs a published campaign from its inputs and seed
(``qcert hub rerun``), with no account and no database.
"""

from __future__ import annotations

import csv
import io
import json
import os
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .. import scans
from ..access import decide
from ..locale.names import choices
from ..supervision.campaigns import rerun
from ..supervision.commands import (
    CommitDraw,
    ImportRegistry,
    RecordInspectionResult,
    RevealDraw,
)
from ..supervision.draw import commitment, new_seed
from ..supervision.registries import SOURCES
from ._common import bad, console, errors, ok, principal, print_json, read_file, refusal, services
from ._words import both, said

app = typer.Typer(
    help="The supervision hub's random inspections. / 监管平台双随机抽查。", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]
DrawArg = Annotated[str, typer.Argument(metavar="DRAW", help="The campaign's id")]
SeedFile = Annotated[
    Path, typer.Option("--seed-file", help="The secret seed's file / 随机种子文件")
]
INPUTS_LIMIT = 32 * 1024 * 1024  # bytes: pools of a few hundred thousand targets


def _seed(path: Path) -> str:
    return read_file(path, 1024).decode("ascii", "replace").strip()


@app.command()
@errors
def seed(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to keep it in (0600)")],
    json_: JsonOpt = False,
) -> None:
    """Make a secret seed for a campaign, kept readable by its owner only; print the commitment
    to publish with the campaign before the draw. / 生成随机种子并给出承诺值。"""
    value = new_seed()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise refusal("hub.seed_exists", out=out) from None
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    doc = {"seed_file": str(out), "commitment": commitment(value)}
    if json_:
        print_json(doc)
    else:
        console.print(ok(both("hub.commitment", out=out, commitment=doc["commitment"])))


@app.command()
@errors
def commit(
    ctx: typer.Context,
    draw_id: DrawArg,
    seed_file: SeedFile,
    inputs: Annotated[Path, typer.Option(help="The draw's inputs (JSON) / 抽查输入")],
    jurisdiction: Annotated[str, typer.Option(help="GB/T 2260 code / 辖区代码")],
    name_zh: Annotated[str, typer.Option("--name-zh")],
    name_en: Annotated[str, typer.Option("--name-en")],
    json_: JsonOpt = False,
) -> None:
    """Open a campaign: publish its inputs and the commitment to its seed on the hub's log.
    / 公布抽查输入与随机种子承诺。"""
    try:
        doc = json.loads(read_file(inputs, INPUTS_LIMIT))
    except ValueError as err:
        raise refusal("hub.inputs_not_json", error=err) from None
    command = CommitDraw(draw_id, name_zh, name_en, jurisdiction, commitment(_seed(seed_file)), doc)
    outcome = services(ctx).bus.handle(command, principal(ctx))
    _done({"draw": draw_id, "indices": outcome.indices, **outcome.reply}, json_)


@app.command()
@errors
def reveal(
    ctx: typer.Context, draw_id: DrawArg, seed_file: SeedFile, json_: JsonOpt = False
) -> None:
    """Reveal the seed and draw. / 公开随机种子并抽取。"""
    outcome = services(ctx).bus.handle(RevealDraw(draw_id, _seed(seed_file)), principal(ctx))
    _done({"draw": draw_id, "indices": outcome.indices, **outcome.reply}, json_)


@app.command()
@errors
def result(
    ctx: typer.Context,
    draw_id: DrawArg,
    target: Annotated[str, typer.Argument(help="The drawn target")],
    outcome: Annotated[str, typer.Argument(help="compliant, non-compliant or not-found")],
    on: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Day inspected")],
    note: Annotated[str, typer.Option()] = "",
    json_: JsonOpt = False,
) -> None:
    """Publish the result of inspecting a drawn target. / 公布检查结果。"""
    command = RecordInspectionResult(draw_id, target, outcome, on.date(), note)
    done = services(ctx).bus.handle(command, principal(ctx))
    _done({"draw": draw_id, "target": target, "indices": done.indices}, json_)


@app.command("rerun")
@errors
def rerun_command(
    draw_id: DrawArg,
    url: Annotated[str, typer.Option(help="The hub's base URL / 监管平台地址")],
    json_: JsonOpt = False,
) -> None:
    """Re-run a published campaign from its inputs and revealed seed, and compare: anyone can.
    / 依据公开的输入与种子复现抽取结果。"""
    base = f"{url.rstrip('/')}/public/inspections/{draw_id}"
    try:
        with httpx.Client(timeout=60) as client:
            published = client.get(base).raise_for_status().json()
            inputs = client.get(f"{base}/inputs").raise_for_status().content
    except httpx.HTTPError as err:
        raise refusal("hub.url_unreachable", error=err) from None
    problems = rerun(published, inputs)
    if json_:
        print_json({"draw": draw_id, "same": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            console.print(bad(problem))
    else:
        console.print(ok(both("hub.same_draw", draw=draw_id, targets=len(published["selections"]))))
    if problems:
        raise typer.Exit(1)


def _done(doc: dict[str, Any], json_: bool) -> None:
    if json_:
        print_json(doc)
        return
    console.print(ok(", ".join(f"{k} {v}" for k, v in doc.items())))


@app.command("import")
@errors
def import_(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help=f"One of: {', '.join(SOURCES)}")],
    file: Annotated[Path, typer.Argument(help="CSV (a header row) or a JSON array")],
    json_: JsonOpt = False,
) -> None:
    """Take in rows of one of the hub's other sources (registers), 5,000 a command, each
    checked by its source's model; print what was refused. / 导入登记数据（其他来源）。"""
    if source not in SOURCES:
        raise refusal(
            "hub.unknown_source",
            source=repr(source),
            sources=", ".join(SOURCES),
            sources_zh=choices(SOURCES),
        )
    data = read_file(file, INPUTS_LIMIT)
    if file.suffix.lower() == ".json":
        try:
            rows = json.loads(data)
        except ValueError as err:
            raise refusal("hub.file_not_json", file=file, error=err) from None
        if not isinstance(rows, list):
            raise refusal("hub.not_rows", file=file)
    else:
        text = data.decode("utf-8-sig", "replace")
        rows = [
            {k: v for k, v in row.items() if k and v not in (None, "")}
            for row in csv.DictReader(io.StringIO(text))
        ]
    svc, who = services(ctx), principal(ctx)
    accepted, rejected = 0, []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), disable=json_
    ) as bar:
        task = bar.add_task(source, total=len(rows))
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            reply = svc.bus.handle(ImportRegistry(source, chunk), who).reply  # type: ignore[arg-type]
            accepted += reply["accepted"]
            rejected += [{**r, "position": r["position"] + start} for r in reply["rejected"]]
            bar.advance(task, len(chunk))
    if json_:
        print_json({"source": source, "accepted": accepted, "rejected": rejected})
    else:
        console.print(
            ok(both("hub.imported", source=source, accepted=accepted, refused=len(rejected)))
        )
        for r in rejected:
            en, zh = said(
                "hub.refused_row",
                row=r["position"] + 1,
                field=r["field"],
                why=r["message"]["en"],
                why_zh=r["message"]["zh-CN"],
            )
            console.print(bad(en))
            console.print(f"     {zh}")
    if rejected:
        raise typer.Exit(1)


@app.command("scan")
@errors
def scan_command(
    ctx: typer.Context,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Scan day (default: today)"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Run every risk indicator over everything the hub holds: warnings to their regions, body
    grades and organisation classes recorded on the hub's log. / 风险扫描。"""
    decide(principal(ctx), "hub.scan", {})
    svc = services(ctx)
    day = as_of.date() if as_of else svc.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
    with console.status(both("hub.scanning"), spinner="dots") if not json_ else nullcontext():
        run = scans.scan(svc.bus, svc.engine, day)
    doc = {
        "as_of": day.isoformat(),
        "counts": run.counts,
        "new": run.new,
        "updated": run.updated,
        "grades": run.grades,
        "classes": run.classes,
    }
    if json_:
        print_json(doc)
        return
    said_ = both(
        "hub.scanned", day=day, rows=sum(run.counts.values()), new=run.new, updated=run.updated
    )
    console.print(ok(said_))
    for name, n in sorted(run.counts.items()):
        console.print(f"  {name}: {n}")
    for g in run.grades[:10]:
        fields = {"body": g["body_id"], "grade": g["grade"], "score": g["score"]}
        if g["top"]:
            said_ = both("hub.grade_from", top=g["top"], **fields)
        else:
            said_ = both("hub.grade", **fields)
        console.print(f"  {said_}")
