"""``qcert lifecycle ...``: run lifecycle commands and read certifications."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from ..access import command_names, decide, read_scope
from ..credentials import printable
from ..errors import QcertError
from ..lifecycle.commands import UploadDocument
from ..lifecycle.cycle import CertStatus
from ..lifecycle.documents import MAX_DOCUMENT_BYTES, media_type_of
from ..lifecycle.inputs import refusal_of
from ..locale.names import value_word
from ..store import queries
from ._common import (
    console,
    errors,
    ok,
    principal,
    print_json,
    read_file,
    refusal,
    services,
    settings,
    warn,
)
from ._words import both

app = typer.Typer(help="The certification lifecycle. / 认证全生命周期。", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]

# upload-document carries a file's bytes: `qcert lifecycle upload` sends them.
COMMANDS = {n: c for n, c in command_names().items() if c is not UploadDocument}


@app.command("commands")
@errors
def list_commands(json_: JsonOpt = False) -> None:
    """List the commands `do` accepts, with their fields. / 列出可执行的命令。"""
    rows = {
        name: {f.name: str(f.type) for f in dataclasses.fields(cls)}
        for name, cls in COMMANDS.items()
    }
    if json_:
        print_json(rows)
        return
    for name, fields in rows.items():
        console.print(f"{name}: " + ", ".join(f"{k} ({v})" for k, v in fields.items()))


@app.command()
@errors
def do(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Command, e.g. suspend-certificate")],
    payload: Annotated[str, typer.Argument(help="JSON object, @file.json, or - for stdin")],
    json_: JsonOpt = False,
) -> None:
    """Run one lifecycle command as the signed-in account (`qcert whoami`); print the ledger
    indices of its events. / 执行生命周期命令。"""
    cls = COMMANDS.get(name)
    if cls is None:
        raise refusal("lifecycle.no_command", name=repr(name))
    text = sys.stdin.read() if payload == "-" else payload
    if payload.startswith("@"):
        try:
            text = open(payload[1:], encoding="utf-8").read()  # noqa: SIM115
        except OSError as err:
            raise refusal("common.cannot_read", path=payload[1:], error=err.strerror) from None
    if len(text) > 1024 * 1024:
        raise QcertError(f"{name}: " + both("lifecycle.payload_too_large"))
    try:
        command = TypeAdapter(cls).validate_json(text)
    except ValidationError as err:
        raise refusal_of(list(err.errors())) from None
    outcome = services(ctx).bus.handle(command, principal(ctx))
    if json_:
        print_json(
            {
                "command": name,
                "ledger_indices": outcome.indices,
                "reply": outcome.reply,
                "owed": outcome.owed,
            }
        )
        return
    if outcome.indices:
        console.print(ok(both("lifecycle.done", name=name, indices=outcome.indices)))
    else:
        console.print(ok(both("lifecycle.done_no_events", name=name)))
    for key, value in outcome.reply.items():
        console.print(f"  {key}: {value}")
    for why in outcome.owed:
        warn(why)


@app.command()
@errors
def upload(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(metavar="CLIENT", help="The organisation")],
    file: Annotated[Path, typer.Argument(help="PDF, PNG, JPEG or UTF-8 text, ≤ 10 MiB")],
    purpose: Annotated[str, typer.Option(help="What the document is for / 用途")] = "",
    certification: Annotated[
        str | None, typer.Option(help="The certification it is given for / 所属认证项目")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Give a document: its bytes stored under their SHA-256, the hash recorded on the
    ledger, as the signed-in account. / 上传文件。"""
    if file.is_file() and file.stat().st_size > MAX_DOCUMENT_BYTES:
        raise QcertError(f"{file}: " + both("lifecycle.file_too_large"))
    data = read_file(file)
    media_type = media_type_of(data)
    if media_type is None:
        raise QcertError(f"{file}: " + both("lifecycle.not_a_document"))
    who = principal(ctx)
    cmd = UploadDocument(
        client_id,
        hashlib.sha256(data).hexdigest(),
        file.name,
        media_type,
        len(data),
        purpose,
        who.account_id,
        certification,
        content=data,
    )
    outcome = services(ctx).bus.handle(cmd, who)
    if json_:
        print_json({"sha256": cmd.sha256, "ledger_indices": outcome.indices})
        return
    said_ = both("lifecycle.uploaded", file=file.name, sha256=cmd.sha256, indices=outcome.indices)
    console.print(ok(said_))


@app.command()
@errors
def show(
    ctx: typer.Context,
    certification_id: Annotated[str, typer.Argument(metavar="ID")],
    json_: JsonOpt = False,
) -> None:
    """A certification: its state, certificate and every event with its ledger index. / 查看。"""
    who = principal(ctx)
    decide(who, "records.read")
    with services(ctx).engine.connect() as conn:
        found = queries.certification(conn, read_scope(who), certification_id)
        if found is None:
            raise refusal("lifecycle.no_certification", id=repr(certification_id))
        events = queries.certification_events(conn, certification_id)
    row, cert = found, found["certificate"]
    body: dict[str, Any] = {
        "certification": {
            k: v
            for k, v in found.items()
            if k not in ("audits", "findings", "certificate", "cases")
        },
        "certificate": cert,
        "cases": found["cases"],
        "events": events,
    }
    if json_:
        print_json(body)
        return
    console.print(
        f"{certification_id}  {row['scheme_id']}  {both('lifecycle.stage')}: {row['stage']}"
    )
    if cert:
        said_ = both(
            "lifecycle.certificate",
            number=cert["number"],
            status=cert["status"],
            status_zh=value_word(cert["status"]),
            certsearch=cert["certsearch_status"],
            issued=cert["issue_date"],
            expires=cert["expiry_date"],
        )
        console.print(said_)
    for case in found["cases"]:
        kind = both(
            {"appeal": "lifecycle.appeal", "complaint": "lifecycle.complaint"}[case["kind"]]
        )
        state = (
            both("lifecycle.resolved", on=case["resolved_on"], outcome=case["outcome"])
            if case["resolved"]
            else both("lifecycle.case_open")
        )
        handler = f"{both('lifecycle.handler')} {case['handler']}"
        console.print(f"{kind} {case['id']} ({handler}): {case['summary']} — {state}")
    for e in body["events"]:
        console.print(f"  #{e['ledger_index']:<6} {e['at']}  {e['type']}")
    console.print(both("lifecycle.prove") + ": qcert ledger prove INDEX")


@app.command()
@errors
def certificates(
    ctx: typer.Context,
    # a choice, so that a mistyped status is a usage error naming the allowed values, not an
    # empty list that reads as "no such certificates"
    status: Annotated[
        CertStatus | None, typer.Option(help="Only certificates in this status / 证书状态")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List the certificates you may see, with their status. / 证书列表。"""
    who = principal(ctx)
    decide(who, "records.read")
    with services(ctx).engine.connect() as conn:
        filters = {"status": status.value if status else None}
        rows = queries.rows(conn, read_scope(who), "certificates", filters)
    if json_:
        print_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['number']}  {r['status']:<10} {r['expiry_date']}  {r['certification_id']}"
        )


@app.command("certificate-pdf")
@errors
def certificate_pdf(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="Certificate number")],
    out: Annotated[Path, typer.Option("--out", help="PDF file to write / 输出的 PDF 文件")],
    host: Annotated[
        str | None,
        typer.Option(help="Public host for the QR code (default QCERT_PUBLIC_HOST) / 公网主机"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Print a certificate as a bilingual A4 PDF with its verification QR code. / 打印证书。"""
    host = host or settings(ctx).public_host
    if not host:
        raise refusal("lifecycle.no_host")
    who = principal(ctx)
    decide(who, "records.read")
    with services(ctx).engine.connect() as conn:
        if not queries.rows(conn, read_scope(who), "certificates", {"number": number}):
            raise refusal("lifecycle.no_certificate", number=repr(number))
        sheet = printable.certificate_sheet(conn, number)
    try:
        pdf = printable.render_pdf(sheet, host, datetime.now(UTC).date())
        url = printable.verification_url(host, number, sheet["sha256"])
    except ValueError as err:
        raise refusal("lifecycle.pdf_failed", error=err) from None
    out.write_bytes(pdf)
    if json_:
        print_json(
            {
                "number": number,
                "status": sheet["status"],
                "file": str(out),
                "bytes": len(pdf),
                "url": url,
                "sha256": sheet["sha256"],
            }
        )
        return
    said_ = both("lifecycle.printed", number=number, status=sheet["status"], out=out, size=len(pdf))
    console.print(ok(said_))
    console.print(f"{both('lifecycle.qr')}: {url}")
