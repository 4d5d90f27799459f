"""``qcert lifecycle ...``: run lifecycle commands and read certifications."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from pydantic import TypeAdapter, ValidationError

from ..bootstrap import open_ledger
from ..bus import by_name, handle
from ..credentials import printable
from ..credentials.keystore import KeyStore
from ..errors import QcertError
from ..store import tables as t
from ..store.documents import DocumentStore
from ..store.uow import UnitOfWork
from ._common import console, errors, ok, print_json, settings

app = typer.Typer(help="The certification lifecycle. / 认证全生命周期。", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


COMMANDS = by_name()


def _engine(ctx: typer.Context) -> sa.Engine:
    return open_ledger(settings(ctx)).storage.engine  # type: ignore[attr-defined]


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
    actor: Annotated[str, typer.Option(help="Who is acting (recorded with the events)")] = "",
    json_: JsonOpt = False,
) -> None:
    """Run one lifecycle command; print the ledger indices of its events. / 执行生命周期命令。"""
    cls = COMMANDS.get(name)
    if cls is None:
        raise QcertError(f"no command {name!r}; `qcert lifecycle commands` lists them")
    text = sys.stdin.read() if payload == "-" else payload
    if payload.startswith("@"):
        try:
            text = open(payload[1:], encoding="utf-8").read()  # noqa: SIM115
        except OSError as err:
            raise QcertError(f"{payload[1:]}: {err.strerror}") from None
    try:
        command = TypeAdapter(cls).validate_json(text)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(payload)"
        raise QcertError(f"{name}: {where}: {first['msg']}") from None
    cfg = settings(ctx)
    uow = UnitOfWork(
        _engine(ctx),
        actor=actor or getpass.getuser(),
        keys=KeyStore(cfg.keys_dir / "bodies"),
        host=cfg.public_host,
        documents=DocumentStore(cfg.data_dir / "documents"),
    )
    indices = handle(command, uow)
    if json_:
        print_json({"command": name, "ledger_indices": indices})
        return
    console.print(ok(f"{name}: events at ledger " + (", ".join(map(str, indices)) or "(none)")))


@app.command()
@errors
def show(
    ctx: typer.Context,
    certification_id: Annotated[str, typer.Argument(metavar="ID")],
    json_: JsonOpt = False,
) -> None:
    """A certification: its state, certificate and every event with its ledger index. / 查看。"""
    engine = _engine(ctx)
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(t.certifications).where(t.certifications.c.id == certification_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise QcertError(f"no certification {certification_id!r}")
        cert = (
            conn.execute(
                sa.select(t.certificates).where(
                    t.certificates.c.certification_id == certification_id
                )
            )
            .mappings()
            .first()
        )
        events = conn.execute(
            sa.select(t.events.c.ledger_index, t.events.c.type, t.events.c.at)
            .where(t.events.c.aggregate == f"certification:{certification_id}")
            .order_by(t.events.c.seq)
        ).all()
    body: dict[str, Any] = {
        "certification": dict(row),
        "certificate": dict(cert) if cert else None,
        "events": [{"ledger_index": i, "type": ty, "at": at} for i, ty, at in events],
    }
    if json_:
        print_json(body)
        return
    console.print(f"{certification_id}  {row['scheme_id']}  stage: {row['stage']}")
    if cert:
        console.print(
            f"certificate {cert['number']}: {cert['status']} ({cert['certsearch_status']}), "
            f"issued {cert['issue_date']}, expires {cert['expiry_date']}"
        )
    for e in body["events"]:
        console.print(f"  #{e['ledger_index']:<6} {e['at']}  {e['type']}")
    console.print("prove any event / 证明: qcert ledger prove INDEX")


@app.command()
@errors
def certificates(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="active, suspended, withdrawn, expired")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List certificates with their status. / 证书列表。"""
    query = sa.select(t.certificates).order_by(t.certificates.c.number)
    if status:
        query = query.where(t.certificates.c.status == status)
    with _engine(ctx).connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
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
        raise QcertError("host: no public host; pass --host or set QCERT_PUBLIC_HOST")
    with _engine(ctx).connect() as conn:
        sheet = printable.certificate_sheet(conn, number)
    try:
        pdf = printable.render_pdf(sheet, host, datetime.now(UTC).date())
        url = printable.verification_url(host, number, sheet["sha256"])
    except ValueError as err:
        raise QcertError(str(err)) from None
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
    console.print(ok(f"{number} ({sheet['status']}): {out}, {len(pdf)} bytes"))
    console.print(f"QR / 二维码: {url}")
