"""``qcert witness ...``: this installation as a witness of other logs (C2SP tlog-witness).

A witness cosigns a log's checkpoint only when it is consistent with the newest one it
cosigned before, so the log can neither roll back nor show two readers two histories. Run
``qcert witness init --name NAME`` once, ``qcert witness follow`` for each log (each tree of a
qcert log is one origin), then ``qcert serve``: the witness answers at ``/witness``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..access import decide
from ..keys import create_witness_key, load_witness_key
from ..ledger import LedgerError
from ..ledger.storage import SqlWitnessState
from ._common import console, errors, ok, principal, print_json, refusal, services
from ._words import both

app = typer.Typer(
    help="Witness other logs' checkpoints (C2SP tlog-witness). / 见证其他账本的检查点。",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


@app.command()
@errors
def init(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Option(help="The witness's name: a schema-less URL, e.g. witness.example.org/w1"),
    ],
    json_: JsonOpt = False,
) -> None:
    """Create this installation's witness key (kept 0600 beside the log's keys); print its
    verifier key for the logs' policies. / 创建见证密钥。"""
    decide(principal(ctx), "witness.manage")
    signer = create_witness_key(services(ctx).settings.keys_dir, name)
    vkey = signer.verifier().vkey()
    if json_:
        print_json({"name": signer.name, "vkey": vkey})
        return
    console.print(ok(both("witness.key", name=signer.name, vkey=vkey)))


@app.command()
@errors
def follow(
    ctx: typer.Context,
    origin: Annotated[str, typer.Argument(help="The log's checkpoint origin line")],
    vkey: Annotated[
        list[str], typer.Option("--vkey", help="A key that signs the log's checkpoints")
    ],
    suite: Annotated[
        str, typer.Option(help="The log's tree hash: sha256, or sm3 for a qcert SM3 tree")
    ] = "sha256",
    json_: JsonOpt = False,
) -> None:
    """Follow a log: cosign its checkpoints from now on, starting from its empty tree.
    / 关注一个账本。"""
    decide(principal(ctx), "witness.manage")
    svc = services(ctx)
    if load_witness_key(svc.settings.keys_dir) is None:
        raise refusal("witness.no_key")
    try:
        log = _state(ctx).follow(origin, vkey, suite)
    except LedgerError as err:
        raise refusal("witness.cannot_follow", error=err) from None
    if json_:
        print_json({"origin": log.origin, "suite": log.suite.name})
        return
    said_ = both(
        "witness.following", origin=log.origin, suite=log.suite.name, keys=len(log.verifiers)
    )
    console.print(ok(said_))


@app.command()
@errors
def logs(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """The logs this witness follows and the size it holds of each. / 已关注的账本。"""
    decide(principal(ctx), "witness.manage")
    rows = _state(ctx).logs()
    if json_:
        print_json(
            [
                {"origin": log.origin, "suite": log.suite.name, "size": held.size if held else 0}
                for log, held in rows
            ]
        )
        return
    for log, held in rows:
        typer.echo(f"{log.origin}\t{log.suite.name}\t{held.size if held else 0}")


def _state(ctx: typer.Context) -> SqlWitnessState:
    state = services(ctx).witness_state
    assert state is not None  # bootstrap always wires it
    return state
