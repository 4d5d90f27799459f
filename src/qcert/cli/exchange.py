"""``qcert exchange ...``: IAF CertSearch upload files and the national reporting set."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .. import reporting
from ..access import decide
from ..exchange import certsearch, national, reporter
from ..store import views
from ._common import bad, console, errors, ok, principal, print_json, read_file, refusal, services
from ._words import both

app = typer.Typer(
    help="IAF CertSearch files and the national reporting set. / 国际与国内数据交换。",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]
BodyArg = Annotated[str, typer.Argument(metavar="BODY", help="The certification body's id")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="File to write / 输出文件")]


class FileFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"


def _engine(ctx: typer.Context, body_id: str) -> Any:
    """The database, once the signed-in account is found to be the body's staff."""
    decide(principal(ctx), "exchange.export", {"body": body_id})
    return services(ctx).engine


def _body(conn: Any, body_id: str) -> dict[str, Any]:
    body = views.body_row(conn, body_id)
    if body is None:
        raise refusal("exchange.no_body", body=repr(body_id))
    return body


def batch_path(out: Path, batch: int, batches: int) -> Path:
    """``out`` itself for a single batch, else ``out`` numbered: ``certs_1.xlsx``, ``certs_2.xlsx``
    (the file names CertSearch suggests for uploads split into several files)."""
    if batches == 1:
        return out
    return out.with_name(f"{out.stem}_{batch}{out.suffix}")


def _write_batch(
    records: list[dict[str, Any]], batch: int, batches: int, out: Path, fmt: FileFormat
) -> dict[str, Any]:
    path = batch_path(out, batch, batches)
    if fmt is FileFormat.xlsx:
        path.write_bytes(certsearch.write_xlsx(records))
    else:
        path.write_bytes(certsearch.write_json(certsearch.batch_document(records, batch, batches)))
    return {"path": str(path), "batch": batch, "records": len(records)}


@app.command("certsearch-export")
@errors
def certsearch_export(
    ctx: typer.Context,
    body_id: BodyArg,
    out: OutOpt,
    format_: Annotated[
        FileFormat, typer.Option("--format", help="json or xlsx / 文件格式")
    ] = FileFormat.json,
    json_: JsonOpt = False,
) -> None:
    """Write a body's certificates as IAF CertSearch upload files, 1,000 records each.
    / 导出 IAF CertSearch 上传文件。"""
    engine = _engine(ctx, body_id)
    files: list[dict[str, Any]] = []
    confidential = 0
    with engine.connect() as conn:
        body = _body(conn, body_id)
        total = views.count_certificates(conn, body_id)
        count = certsearch.batch_count(total)
        columns = [
            TextColumn("exporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=console, transient=True, disable=json_) as bar:
            task = bar.add_task("export", total=total)
            batch: list[dict[str, Any]] = []
            for row in views.certificate_rows(conn, body_id):
                batch.append(certsearch.to_record(row, body))
                confidential += bool(row["client"]["confidential"])
                bar.advance(task)
                if len(batch) == certsearch.BATCH_LIMIT:
                    files.append(_write_batch(batch, len(files) + 1, count, out, format_))
                    batch = []
            if batch or not files:
                files.append(_write_batch(batch, len(files) + 1, count, out, format_))
    summary = {
        "body": body_id,
        "format": format_.value,
        "records": total,
        "confidential": confidential,
        "batches": len(files),
        "files": files,
    }
    if json_:
        print_json(summary)
        return
    said_ = both(
        "exchange.exported",
        total=total,
        body=body_id,
        confidential=confidential,
        files=len(files),
    )
    console.print(ok(said_))
    for f in files:
        console.print(f"  {f['path']}  " + both("exchange.file_records", records=f["records"]))


@app.command("certsearch-import")
@errors
def certsearch_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=".json or .xlsx")],
    json_: JsonOpt = False,
) -> None:
    """Check a CertSearch upload file record by record; writes nothing. / 校验 CertSearch 文件。"""
    data = read_file(file)
    if file.suffix.lower() == ".xlsx":
        raw = certsearch.read_xlsx(data)
    else:
        raw = certsearch.read_json(data)
    result = certsearch.validate(raw)
    if json_:
        print_json(
            {
                "file": str(file),
                "records": result.total,
                "valid": len(result.records),
                "failed": result.failed,
                "errors": [e.as_dict() for e in result.errors],
            }
        )
    else:
        for e in result.errors:
            console.print(bad(e.en))
            console.print(f"     {e.zh}")
        line = both(
            "exchange.checked",
            total=result.total,
            valid=len(result.records),
            failed=result.failed,
        )
        console.print(bad(line) if result.errors else ok(line))
    if result.errors:
        raise typer.Exit(1)


@app.command("national-export")
@errors
def national_export(
    ctx: typer.Context,
    body_id: BodyArg,
    out: OutOpt,
    from_: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD / 起始日期"),
    ] = None,
    to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, YYYY-MM-DD / 截止日期"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Write a body's national reporting set (audit plans and results, certificates, status
    changes) as one JSON document. / 导出国家监管报送数据。"""
    start, end = (d.date() if d else None for d in (from_, to))
    national.check_period(start, end)
    with _engine(ctx, body_id).connect() as conn:
        body = _body(conn, body_id)
        doc = national.report(
            body,
            views.audit_rows(conn, body_id),
            views.finding_rows(conn, body_id),
            views.certificate_rows(conn, body_id),
            views.history_rows(conn, body_id),
            views.auditor_registrations(conn, body_id),
            start,
            end,
        )
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = {
        "path": str(out),
        "schema": doc["schema"],
        "version": doc["version"],
        "period": doc["period"],
        "counts": doc["counts"],
    }
    if json_:
        print_json(summary)
        return
    counts = ", ".join(f"{k} {v}" for k, v in doc["counts"].items())
    console.print(ok(both("exchange.written", out=out, counts=counts)))


@app.command("report")
@errors
def report(
    ctx: typer.Context,
    body_id: BodyArg,
    hub: Annotated[str, typer.Option("--hub", help="The hub's base URL / 监管平台地址")],
    key_id: Annotated[
        str, typer.Option("--key", help="The body's key registered at the hub / 报送密钥")
    ],
    json_: JsonOpt = False,
) -> None:
    """Report the body's records to a supervision hub: sign the log's checkpoints and have the
    hub (a witness in QCERT_WITNESS_POLICY) cosign them, then send every event since the last
    report with its inclusion proof, 1,000 a call, signed with the body's key.
    / 向监管平台报送本机构的认证数据。"""
    decide(principal(ctx), "exchange.report", {"body": body_id})
    svc = services(ctx)
    with (
        httpx.Client(timeout=reporter.TIMEOUT) as client,
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), disable=json_
        ) as bar,
    ):
        task = bar.add_task(both("exchange.records"), total=None)
        done = reporting.report(
            svc, body_id, key_id, hub, client, progress=lambda n: bar.advance(task, n)
        )
    if json_:
        print_json(done.document())
    else:
        said_ = both(
            "exchange.reported",
            body=body_id,
            hub=hub,
            sent=done.sent,
            accepted=done.accepted,
            unchanged=done.unchanged,
            refused=len(done.rejected),
            size=done.size,
        )
        console.print(ok(said_))
        for r in done.rejected:
            console.print(bad(f"{r['id']} {r['field']} [{r['rule']}]: {r['message']['en']}"))
            console.print(f"     {r['message']['zh-CN']}")
        for problem in done.problems:
            console.print(bad(problem))
    if done.problems or done.rejected:
        raise typer.Exit(1)
