"""``qcert evidence ...``: an organisation's data sources, refused messages, anchoring, and a
reading's proof (made here, checked anywhere offline)."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import access
from ..access import EntryOwner
from ..errors import QcertError
from ..evidence.commands import RegisterDevice
from ..evidence.proofs import proof_of_reading
from ..evidence.window import ProofInvalid, verify_reading_proof
from ..store import evidence as views
from ._common import console, errors, ok, principal, print_json, read_file, refusal, services
from ._words import both
from .evidence_mqtt import consume

app = typer.Typer(
    help="Real-time evidence: data sources, readings, anchoring, proofs. / 实时过程数据存证。",
    no_args_is_help=True,
)
device_app = typer.Typer(
    help="An organisation's data sources. / 组织的数据源。", no_args_is_help=True
)
app.add_typer(device_app, name="device")
app.command("consume")(consume)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]
PROOF_LIMIT = 4 * 1024 * 1024  # bytes: a proof of a reading in a window of 100,000


def _variable(text: str) -> dict[str, Any]:
    """``NAME:UNIT`` or ``NAME:UNIT:LOWER:UPPER`` (either limit may be empty)."""
    parts = text.split(":")
    if len(parts) not in (2, 4):
        raise refusal("evidence.var_shape", text=repr(text))
    var: dict[str, Any] = {"name": parts[0], "unit": parts[1]}
    for name, value in zip(("lower", "upper"), parts[2:], strict=False):
        if value:
            try:
                var[name] = float(value)
            except ValueError:
                raise refusal("evidence.var_number", limit=name, value=repr(value)) from None
    return var


@device_app.command("add")
@errors
def device_add(
    ctx: typer.Context,
    device_id: Annotated[str, typer.Argument(metavar="DEVICE", help="The device's id")],
    client: Annotated[str, typer.Option("--client", help="Its organisation / 所属组织")],
    var: Annotated[
        list[str], typer.Option("--var", help="NAME:UNIT[:LOWER:UPPER], repeatable / 变量")
    ],
    kind: Annotated[str, typer.Option(help="line, station or sensor")] = "sensor",
    label: Annotated[str, typer.Option(help="A name people know it by")] = "",
    public_key: Annotated[
        str, typer.Option("--public-key", help="Its Ed25519 public key (base64 of 32 bytes)")
    ] = "",
    signed: Annotated[bool, typer.Option("--signed", help="Refuse its unsigned messages")] = False,
    json_: JsonOpt = False,
) -> None:
    """Register a data source of an organisation and the variables it reports. / 登记数据源。"""
    command = RegisterDevice(
        device_id, client, kind, [_variable(v) for v in var], label, public_key, signed
    )
    outcome = services(ctx).bus.handle(command, principal(ctx))
    if json_:
        print_json({"device": device_id, "ledger_indices": outcome.indices})
    else:
        console.print(ok(both("evidence.registered", device=device_id, client=client)))


@device_app.command("list")
@errors
def device_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=views.MAX_DEVICES)] = 1000,
    offset: Annotated[int, typer.Option(min=0, max=10_000_000)] = 0,
    json_: JsonOpt = False,
) -> None:
    """The data sources you may read, by id, --limit at a time from --offset. / 可查看的数据源。"""
    who = principal(ctx)
    with services(ctx).engine.connect() as conn:
        rows = views.device_list(conn, access.read_scope(who), limit, offset)
    if json_:
        print_json({"devices": rows})
        return
    for row in rows:
        names = ", ".join(f"{v['name']} [{v['unit']}]" for v in row["variables"])
        state = "retired" if row["retired"] else ("signed" if row["signed"] else "unsigned")
        console.print(f"{row['id']}  {row['client_id']}  {row['kind']}  {state}  {names}")


@app.command("dead-letters")
@errors
def dead_letters(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    json_: JsonOpt = False,
) -> None:
    """Your organisations' refused messages, newest first. / 被拒收的消息。"""
    who = principal(ctx)
    access.decide(who, "GET /evidence/v1/dead-letters", {})
    clients = None if who.platform else sorted(who.scopes("client"))
    with services(ctx).engine.connect() as conn:
        rows = views.dead_letter_rows(conn, clients, limit)
    if json_:
        print_json({"dead_letters": rows})
        return
    for row in rows:
        console.print(f"{row['received_at']}  {row['topic']}  {row['code']}  {row['reason_en']}")


@app.command()
@errors
def anchor(
    ctx: typer.Context,
    every: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=3600,
            help="Go on anchoring every this many seconds, until SIGTERM or SIGINT (a process "
            "of its own beside consumers run with --anchor-every 0) / 每隔若干秒持续固化",
        ),
    ] = None,
    passes: Annotated[
        int | None,
        typer.Option(min=1, help="With --every: stop after this many passes / 执行若干轮后退出"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Anchor every window of readings that is due now, or, with --every, as they fall due;
    a checkpoint is signed after every pass that anchored something. / 固化到期的时间窗口。"""
    access.decide(principal(ctx), "evidence.anchor")
    svc = services(ctx)
    assert svc.intake is not None
    if every is None:
        count = svc.intake.anchor_due()
        if count:
            svc.appended.append(count)  # signed before the command line exits
        if json_:
            print_json({"anchored": count})
        else:
            console.print(ok(both("evidence.anchored", count=count)))
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    total = done = 0
    while True:
        count = svc.intake.anchor_due()
        if count:
            svc.schedule.sign_checkpoints()  # what was anchored is provable at once
        total, done = total + count, done + 1
        if (passes is not None and done >= passes) or stop.wait(every):
            break
    if json_:
        print_json({"anchored": total, "passes": done})
    else:
        console.print(ok(both("evidence.anchored_passes", total=total, passes=done)))


@app.command()
@errors
def proof(
    ctx: typer.Context,
    device_id: Annotated[str, typer.Argument(metavar="DEVICE")],
    seq: Annotated[int, typer.Argument(min=0, max=2**53 - 1, metavar="SEQ")],
    json_: JsonOpt = False,
) -> None:
    """A reading's proof (its window's tree, the anchoring event, a signed checkpoint), to keep
    and check with `qcert evidence verify`. / 读数的存证证明。"""
    who = principal(ctx)
    svc = services(ctx)
    with svc.engine.connect() as conn:
        found = views.readers_of(conn, device_id)
    if found is None:
        raise refusal("evidence.no_device", device=repr(device_id))
    owner = EntryOwner("evidence", found[1], frozenset({found[0]}))
    access.decide(who, access.READ_EVIDENCE, owner)
    svc.schedule.sign_checkpoints()  # a command line has no schedule: cover what is anchored
    doc = proof_of_reading(svc.engine, svc.ledger, device_id, seq)
    if json_:
        print_json(doc)
    else:
        typer.echo(json.dumps(doc, ensure_ascii=False))


@app.command()
@errors
def verify(
    file: Annotated[Path, typer.Argument(help="A proof from `qcert evidence proof`")],
    vkey: Annotated[
        list[str] | None,
        typer.Option(help="The log's verifier key (default: those in the proof, not pinned)"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Check a reading's proof offline: its bytes, its window's root, the anchoring event, the
    signed checkpoint. / 离线验证读数存证证明。"""
    try:
        doc = json.loads(read_file(file, PROOF_LIMIT))
    except ValueError:
        raise refusal("evidence.not_json", file=file) from None
    keys = vkey or (doc.get("vkeys") if isinstance(doc, dict) else None) or []
    try:
        found = verify_reading_proof(doc if isinstance(doc, dict) else {}, keys)
    except ProofInvalid as err:
        raise QcertError(both("evidence.does_not_verify", file=file, error=err)) from None
    result = {"verified": True, "pinned": bool(vkey), **found.__dict__}
    if json_:
        print_json(result)
        return
    said_ = both(
        "evidence.verified",
        device=found.device,
        seq=found.seq,
        time=found.time,
        start=found.window_start,
        end=found.window_end,
        index=found.index,
        size=found.size,
    )
    console.print(ok(said_))
    if not vkey:
        console.print(both("evidence.keys_unpinned"))
