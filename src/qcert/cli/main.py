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
from ._common import console, errors, principal, print_json, refusal, services, settings

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
    "evidence": (
        "evidence",
        "app",
        "Real-time evidence: data sources, readings, anchoring, proofs. / 实时过程数据存证。",
    ),
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
    console.print(f"initialised {cfg.data_dir}\ndatabase {_safe(cfg)}\noperator {operator}")
    console.print("verifier keys:")
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
    console.print(f"operator {operator}")


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


@app.command()
@errors
def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="TCP port for the API")] = 8000,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API after filling the store")
    ] = True,
    size: Annotated[
        int, typer.Option(min=0, help="Generated client organisations (besides the 12 named)")
    ] = 300,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated world (same seed, same world)")
    ] = 7,
) -> None:
    """Fresh demo store: a generated world, a signed checkpoint, then the API. / 演示。"""
    from ..demo import build_demo
    from ..demo_world import DEMO_ACCOUNTS, DEMO_PASSWORD

    cfg = settings(ctx)
    demo_cfg = Settings.from_env(cfg.data_dir / "demo", ctx.find_root().obj.get("database_url"))
    if not demo_cfg.database_url.startswith("sqlite"):
        raise refusal(
            "the demo runs on its own embedded SQLite store; unset QCERT_DATABASE_URL",
            "演示使用自带的嵌入式 SQLite 数据库；请取消设置 QCERT_DATABASE_URL",
        )
    from rich.progress import Progress

    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("building the demo world / 正在生成演示数据", total=None)
        result = build_demo(
            demo_cfg,
            size=size,
            seed=seed,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
            host=f"127.0.0.1:{port}",  # where it is served: its bodies' did:web host
        )
    console.print(f"demo store {demo_cfg.data_dir}  ({result.entries} events on the ledger)")
    if (w := result.world) is not None:
        console.print(
            f"{w.bodies} bodies, {w.auditors} auditors, {w.clients} clients in {w.provinces} "
            f"provinces, {w.certifications} certifications, {w.first_day} to {w.last_day}, "
            f"built in {result.seconds:.0f} s / {w.bodies} 家认证机构、{w.auditors} 名审核员、"
            f"{w.clients} 家组织（{w.provinces} 个省份）、{w.certifications} 个认证项目\n"
        )
    console.print("certifications at every stage / 各阶段的认证项目:")
    for stage, cid in result.stages.items():
        console.print(f"  {stage:<20} {cid}")
    console.print("quality examination / 质量体检: qcert quality examine demo-client-05")
    if (e := result.evidence) is not None and e.alarm_seq is not None:
        console.print(
            f"real-time evidence / 实时证据: {len(e.devices)} lines, {e.readings} readings in "
            f"{e.windows} anchored windows; {e.devices[0]} raised an alarm {e.delay} s after "
            f"its planted coolant fault (top: {', '.join(e.alarm_top[:2])}) / "
            f"{len(e.devices)} 条产线、{e.readings} 条读数（{e.windows} 个固化窗口）；"
            f"{e.devices[0]} 在预置的冷却液故障发生 {e.delay} 秒后报警"
        )
    console.print("signed checkpoint / 已签名检查点:")
    typer.echo(result.checkpoint)
    console.print(f"demo accounts / 演示账号 (password / 密码: {DEMO_PASSWORD}):")
    for name, roles in DEMO_ACCOUNTS.items():
        console.print(f"  {name:<15} {', '.join(roles)}")
    console.print("verifier keys / 验证密钥:")
    for v in result.vkeys:
        typer.echo(f"  {v}")
    if serve_api:
        from ..server import serve as run

        base = f"http://127.0.0.1:{port}"
        console.print(
            f"\nworkspace / 工作台:        {base}/signin  (e.g. demo-decider / {DEMO_PASSWORD})\n"
            f"verification / 证书查验:  {base}/verify\n"
            f"ledger / 账本公示:        {base}/transparency\n"
            f"API / 接口:               {base}/docs"
        )
        run(demo_cfg, "127.0.0.1", port)
