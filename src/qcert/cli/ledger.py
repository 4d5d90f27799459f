"""``qcert ledger ...``: append, checkpoint, prove, consistency, verify-proof, audit."""

from __future__ import annotations

import base64
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..access import decide
from ..ledger import ProofBundle, suite_by_name, verify_proof
from ..ledger.cosignature import parse_cosigner
from ..store.replay import check_projections, is_event_document
from ._common import bad, console, errors, fail, ok, principal, print_json, read_file, services
from ._words import both, two_lines

app = typer.Typer(help="The verifiable event ledger. / 可验证事件账本。", no_args_is_help=True)


class Suite(StrEnum):
    sha256 = "sha256"
    sm3 = "sm3"


SuiteOpt = Annotated[Suite, typer.Option("--suite", help="Hash suite of the tree / 哈希算法")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]
SEEN_LIMIT = 64 * 1024  # bytes: a checkpoint note is a few hundred


@app.command()
@errors
def append(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Files, each appended as one entry")],
    json_: JsonOpt = False,
) -> None:
    """Append each FILE as one entry, in one transaction; print each index. / 追加条目。"""
    data = [read_file(f) for f in files]
    for f, entry in zip(files, data, strict=True):
        if is_event_document(entry):
            raise fail(two_lines("ledger.events_by_command", file=f))
    decide(principal(ctx), "ledger.append")
    svc = services(ctx)
    indices = svc.ledger.append(data)
    svc.appended.append(len(indices))
    if json_:
        print_json([{"index": i, "file": str(f)} for i, f in zip(indices, files, strict=True)])
        return
    for i, f in zip(indices, files, strict=True):
        typer.echo(f"{i}\t{f}")


@app.command()
@errors
def checkpoint(ctx: typer.Context, suite: SuiteOpt = Suite.sha256, json_: JsonOpt = False) -> None:
    """Integrate every entry, sign checkpoints of both trees (if not signed at this size
    already), print one. / 签署检查点。"""
    decide(principal(ctx), "ledger.sign")
    ledger = services(ctx).ledger
    notes = {s.name: ledger.checkpoint(s) for s in ledger.suites}
    note = notes[suite.value]
    if json_:
        text = note.split("\n")
        print_json(
            {
                "suite": suite.value,
                "origin": text[0],
                "size": int(text[1]),
                "root": text[2],
                "note": note,
            }
        )
        return
    typer.echo(note, nl=False)


@app.command()
@errors
def prove(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(help="Zero-based index of the entry")],
    size: Annotated[int | None, typer.Option(help="Tree size to prove against")] = None,
    suite: SuiteOpt = Suite.sha256,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file")] = None,
) -> None:
    """Print a C2SP tlog-proof bundle for entry INDEX in a signed checkpoint (the newest, or
    the one of --size). / 生成包含证明。"""
    bundle = services(ctx).ledger.prove_signed(index, size, suite_by_name(suite.value))
    if output:
        output.write_text(bundle)
        console.print(both("ledger.wrote", file=output))
    else:
        typer.echo(bundle, nl=False)


@app.command()
@errors
def consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="Older tree size (>= 1)")],
    new: Annotated[int, typer.Argument(help="Newer tree size")],
    suite: SuiteOpt = Suite.sha256,
    json_: JsonOpt = False,
) -> None:
    """Print the RFC 9162 consistency proof from tree size OLD to NEW. / 一致性证明。"""
    proof = services(ctx).ledger.consistency(old, new, suite_by_name(suite.value))
    b64 = [base64.b64encode(h).decode() for h in proof.hashes]
    if json_:
        print_json(
            {
                "suite": proof.suite,
                "old": {"size": old, "root": _b64(proof.old_root)},
                "new": {"size": new, "root": _b64(proof.new_root)},
                "proof": b64,
            }
        )
        return
    typer.echo(f"old {old} {_b64(proof.old_root)}\nnew {new} {_b64(proof.new_root)}")
    for line in b64:
        typer.echo(line)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _vkey(value: str) -> str:
    path = Path(value)
    if "+" not in value and path.exists():
        return path.read_text().strip()
    return value


@app.command("verify-proof")
@errors
def verify_proof_cmd(
    bundle: Annotated[Path, typer.Argument(help="A .tlog-proof file")],
    entry: Annotated[Path, typer.Option("--entry", help="The entry's file")],
    vkey: Annotated[list[str], typer.Option("--vkey", help="Verifier key, or a file holding one")],
    witness: Annotated[
        list[str] | None,
        typer.Option(
            "--witness", help="A witness's key (cosignature/v1), or a file holding one / 见证者公钥"
        ),
    ] = None,
    quorum: Annotated[
        int | None,
        typer.Option(
            min=0, help="Witness cosignatures required (default: every --witness given) / 法定数"
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Verify a proof bundle offline: signature, origin, witness cosignatures, inclusion.
    / 离线验证证明。"""
    try:
        text = bundle.read_text()
    except UnicodeDecodeError:
        raise fail(two_lines("ledger.not_text", bundle=bundle)) from None
    witnesses = [parse_cosigner(_vkey(w)) for w in witness or []]
    need = len(witnesses) if quorum is None else quorum
    if need > len(witnesses):
        raise fail(two_lines("ledger.quorum", need=need, given=len(witnesses)))
    result = verify_proof(
        ProofBundle.parse(text), read_file(entry), [_vkey(v) for v in vkey], witnesses, need
    )
    cp = result.checkpoint
    if json_:
        print_json(
            {
                "ok": True,
                "index": result.index,
                "suite": result.suite,
                "origin": cp.origin,
                "size": cp.size,
                "root": _b64(cp.root),
                "signed_by": list(result.signed_by),
                "cosigned_by": list(result.cosigned_by),
            }
        )
        return
    fields = {
        "index": result.index,
        "origin": cp.origin,
        "size": cp.size,
        "suite": result.suite,
        "signers": len(result.signed_by),
        "witnesses": len(result.cosigned_by),
    }
    console.print(
        ok(both("ledger.proven_cosigned" if result.cosigned_by else "ledger.proven", **fields))
    )


@app.command()
@errors
def audit(
    ctx: typer.Context,
    seen: Annotated[
        list[Path] | None,
        typer.Option(
            "--seen",
            help="A checkpoint a verifier or witness kept (as served at /ledger/checkpoint); "
            "it must still be on the log's line. Repeatable. / 外部保存的检查点",
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPUs)")] = None,
    json_: JsonOpt = False,
) -> None:
    """Check every entry against its sealed hash, recompute every hash, check every checkpoint
    in order, and that checkpoints seen elsewhere are still here. / 全量审计。"""
    decide(principal(ctx), "ledger.audit")
    notes = [read_file(path, SEEN_LIMIT).decode("utf-8", "replace") for path in seen or []]
    svc = services(ctx)
    ledger = svc.ledger
    storage = ledger.storage
    total = sum(
        max(storage.integrated_size(s), storage.size())
        if s.name == "sha256"
        else storage.integrated_size(s)
        for s in ledger.suites
    )
    columns = [TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    # Refreshed by hand: no display thread, so the audit may fork its workers.
    with Progress(
        *columns, console=console, transient=True, disable=json_, auto_refresh=False
    ) as bar:
        task = bar.add_task("audit", total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)
            bar.refresh()

        report = ledger.audit(progress=advance, workers=workers, seen=notes)
    report.problems += check_projections(svc.engine, svc.documents)
    if json_:
        print_json(
            {
                "ok": report.ok,
                "sequenced": report.sequenced,
                "integrated": report.integrated,
                "checkpoints": report.checkpoints,
                "signed": report.signed,
                "seen": report.seen,
                "problems": report.problems,
            }
        )
    elif report.ok:
        fields = {
            "entries": report.sequenced,
            "trees": [f"{k} {v}" for k, v in report.integrated.items()],
            "checkpoints": report.checkpoints,
        }
        if report.seen:
            console.print(ok(both("ledger.audited_seen", seen=report.seen, **fields)))
        else:
            console.print(ok(both("ledger.audited", **fields)))
    else:
        for problem in report.problems:
            console.print(bad(problem))
    if not report.ok:
        raise typer.Exit(1)
