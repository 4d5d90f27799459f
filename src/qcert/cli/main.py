"""The ``qcert`` command: global options and the top-level commands.

The command groups (``qcert ledger``, ``qcert quality``…) are imported only when a command line
names them: most of them reach the scientific stack, the PDF renderer or the whole application,
which together take seconds to load, and ``qcert --help`` or ``qcert keys show`` need none of it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..config import Settings
from ._common import console, errors, principal, print_json, services, settings
from ._words import both

# name -> (module under qcert.cli, attribute: a Typer or a command function, the help line
# `qcert --help` shows without importing the module; a test keeps it equal to the real one)
LAZY: dict[str, tuple[str, str, str]] = {
    "verify": (
        "verify",
        "verify",
        "Verify a credential offline: signature, issuer key, revocation, validity, log "
        "inclusion. / 离线验证电子证书。",
    ),
    "login": (
        "account",
        "login",
        "Sign in; later commands act as this account until `qcert logout`. / 登录。",
    ),
    "logout": (
        "account",
        "logout",
        ("End the saved sign-in (the session ends on the server too). / 退出登录。"),
    ),
    "whoami": (
        "account",
        "whoami",
        ("The account the command line acts as, and its roles. / 当前身份。"),
    ),
    "ledger": ("ledger", "app", "The verifiable event ledger. / 可验证事件账本。"),
    "schemes": ("schemes", "app", "Certification schemes as data. / 认证方案（数据化）。"),
    "lifecycle": ("lifecycle", "app", "The certification lifecycle. / 认证全生命周期。"),
    "exchange": (
        "exchange",
        "app",
        "IAF CertSearch files and the national reporting set. / 国际与国内数据交换。",
    ),
    "credentials": ("credentials", "app", "Certificate credentials. / 电子证书。"),
    "quality": (
        "quality",
        "app",
        "Quality diagnosis on process data: SPC, capability, monitoring, hot spots, root "
        "causes. / 质量诊断。",
    ),
    "witness": (
        "witness",
        "app",
        "Witness other logs' checkpoints (C2SP tlog-witness). / 见证其他账本的检查点。",
    ),
    "hub": ("hub", "app", "The supervision hub's random inspections. / 监管平台双随机抽查。"),
    "demo": (
        "demo",
        "demo",
        "Fresh demo store: a generated world, a signed checkpoint, then the API. / 演示。",
    ),
    "evidence": (
        "evidence",
        "app",
        "Real-time evidence: data sources, readings, anchoring, proofs. / 实时过程数据存证。",
    ),
    "notices": ("notices", "app", "Notices of what is due. / 到期事项通知。"),
}


def load_lazy(name: str) -> Any:
    """The real click command behind the lazily listed ``name`` (importing its module)."""
    module, attribute, _ = LAZY[name]
    target = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # a group even when it holds one command
    else:
        single = typer.Typer()  # one command and no callback: Typer gives the command itself
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    # a Typer made into a command on its own offers shell completion; under `qcert` only the
    # top-level command does, as when the groups were nested eagerly
    command.params = [p for p in command.params if p.name not in _COMPLETION]
    return command


_COMPLETION = ("install_completion", "show_completion")


class _LazyGroup(TyperGroup):
    """The top-level group: lists the lazy commands from ``LAZY`` and loads one when used."""

    _listing = False

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [*LAZY, *super().list_commands(ctx)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if cmd_name not in LAZY:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the help page needs a name and a line, not the module
            return TyperCommand(cmd_name, help=LAZY[cmd_name][2])
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_lazy(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: typer.Context, formatter: Any) -> Any:
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=_LazyGroup,
    help="qcert: digital quality certification on a verifiable ledger. / 质量认证数字化平台。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(help="Signing and verifier keys. / 签名与验证密钥。", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

DEFAULT_ORIGIN = "qcert.localhost/ledger"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qcert {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", envvar="QCERT_DATA_DIR", help="Data directory")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="QCERT_DATABASE_URL", help="Database URL"),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version")
    ] = False,
) -> None:
    """Global options apply to every command."""
    ctx.obj = {"data_dir": data_dir, "database_url": database_url}


@app.command()
@errors
def init(
    ctx: typer.Context,
    origin: Annotated[
        str, typer.Option(help="Log name: checkpoint origin and key name (no spaces or '+')")
    ] = DEFAULT_ORIGIN,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create the data directory, the signing keys, the database and the operator account
    (a platform administrator whose key, readable by you only, the command line acts with
    until you `qcert login`). / 初始化。"""
    from ..keys import create_keys
    from ..operator import ensure_operator

    cfg = settings(ctx)
    signers = create_keys(cfg.keys_dir, origin)
    operator = ensure_operator(services(ctx))
    vkeys = [s.verifier().vkey() for s in signers]
    if json_:
        print_json(
            {
                "data_dir": str(cfg.data_dir),
                "database_url": _safe(cfg),
                "vkeys": vkeys,
                "operator": operator,
            }
        )
        return
    console.print(both("main.initialised", data_dir=cfg.data_dir))
    console.print(f"{both('main.database')}: {_safe(cfg)}")
    console.print(f"{both('main.operator')}: {operator}")
    console.print(both("main.vkeys") + ":")
    for v in vkeys:
        console.print(f"  {v}")


def _safe(cfg: Settings) -> str:
    from sqlalchemy import make_url

    return make_url(cfg.database_url).render_as_string(hide_password=True)


@keys_app.command("show")
@errors
def keys_show(
    ctx: typer.Context,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Print the verifier keys (vkeys) of this installation. / 显示验证密钥。"""
    from ..keys import load_signers
    from ..ledger.note import Ed25519Signer

    signers = load_signers(settings(ctx).keys_dir)
    rows = [
        {
            "algorithm": "ed25519" if isinstance(s, Ed25519Signer) else "sm2-sm3",
            "vkey": s.verifier().vkey(),
        }
        for s in signers
    ]
    if json_:
        print_json(rows)
        return
    for row in rows:
        typer.echo(row["vkey"])


@keys_app.command("operator")
@errors
def keys_operator(
    ctx: typer.Context,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create the operator account and its key if missing (for stores made before it
    existed; `qcert init` does it for new ones). / 创建运维账号及其密钥。"""
    from ..operator import ensure_operator

    operator = ensure_operator(services(ctx))
    if json_:
        print_json({"operator": operator})
        return
    console.print(f"{both('main.operator')}: {operator}")


@keys_app.command("add-body-key")
@errors
def add_body_key(
    ctx: typer.Context,
    body_id: Annotated[str, typer.Argument(help="The certification body")],
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create a credential-signing key for a body and publish it, as the body's cb-admin
    (`qcert login`). / 为认证机构生成签名密钥。"""
    from datetime import UTC, datetime

    from ..credentials import multibase_public_key
    from ..lifecycle.commands import AddBodyKey

    svc, who = services(ctx), principal(ctx)
    probe = AddBodyKey(body_id, "key-00000000", "z6Mk" + "1" * 44, datetime.now(UTC))
    svc.bus.authorized(probe, who)  # refused before a private key is written
    key_id, key = svc.keys.create(body_id)
    public = multibase_public_key(key.public_key())
    cmd = AddBodyKey(body_id, key_id, public, datetime.now(UTC))
    try:
        indices = svc.bus.handle(cmd, who).indices
    except Exception:
        svc.keys.discard(body_id, key_id)  # an unpublished key must not linger
        raise
    if json_:
        print_json(
            {
                "body_id": body_id,
                "key_id": key_id,
                "public_key_multibase": public,
                "ledger_indices": indices,
            }
        )
        return
    console.print(f"{body_id} {key_id} {public}")


@app.command()
@errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Trust X-Forwarded-For from these proxy addresses (comma-separated), so "
            "sign-in delays count the client's address, not the proxy's"
        ),
    ] = None,
) -> None:
    """Serve the API and the pages (OpenAPI at /docs). / 启动服务。"""
    from ..server import serve as run

    run(settings(ctx), host, port, workers=workers, forwarded_allow_ips=forwarded_allow_ips)
