"""``qcert login``, ``logout``, ``whoami``: who the command line acts as.

A sign-in is a server-side session like the web's: its token is saved in the data directory
(mode 0600) and ends with ``qcert logout``, a password change, a role change or an
administrator's revocation. Without one, the command line acts as the installation's
operator (``qcert init``). No command takes a name to act as.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer

from ..errors import QcertError
from ._common import SESSION_FILE, console, errors, principal, print_json, services
from ._words import both

__all__ = ["login", "logout", "whoami"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


@errors
def login(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id / 账号")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Sign in; later commands act as this account until `qcert logout`. / 登录。"""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(both("account.password") + ": ")
    svc = services(ctx)
    signed = svc.identity.sign_in(account, password, "command-line", "cli")
    path = svc.settings.data_dir / SESSION_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signed.token + "\n")
    if json_:
        print_json({"account_id": account, "expires_in": signed.lifetime})
        return
    console.print(both("account.signed_in", account=account))


@errors
def logout(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """End the saved sign-in (the session ends on the server too). / 退出登录。"""
    svc = services(ctx)
    path = svc.settings.data_dir / SESSION_FILE
    if not path.exists():
        raise QcertError(both("account.not_signed_in"))
    found = svc.identity.session(path.read_text().strip(), "cli")
    if found is not None:
        svc.identity.sign_out(found[0])
    path.unlink()
    if json_:
        print_json({"signed_out": True})
        return
    console.print(both("account.signed_out"))


@errors
def whoami(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """The account the command line acts as, and its roles. / 当前身份。"""
    who = principal(ctx)
    roles = sorted(f"{r}@{s}" for r, s in who.roles)
    if json_:
        print_json({"account_id": who.account_id, "roles": roles})
        return
    if roles:
        console.print(f"{who.account_id}: {', '.join(roles)}")
    else:
        console.print(f"{who.account_id}: {both('account.no_roles')}")
