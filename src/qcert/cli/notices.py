"""``qcert notices``: the signed-in account's notices, and sending what is due now."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ..access import decide
from ..errors import QcertError
from ..notices.text import link, title
from ..store import notices as views
from ._common import console, errors, principal, print_json, services

app = typer.Typer(
    help="Notices of what is due. / 到期事项通知。",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


@app.command("list")
@errors
def list_notices(
    ctx: typer.Context,
    page: Annotated[
        int, typer.Option(min=1, max=10_000, help="Page (20 a page, newest first)")
    ] = 1,
    unread: Annotated[bool, typer.Option("--unread", help="Unread ones only / 仅未读")] = False,
    json_: JsonOpt = False,
) -> None:
    """Your notices, newest first: what each is about, its due date, its page. / 我的通知。"""
    who = principal(ctx)
    with services(ctx).engine.connect() as conn:
        rows, total = views.notices_of(conn, who.account_id, page=page, unread_only=unread)
    shown = [
        {
            **n,
            "title": {"zh-CN": title(n, "zh-CN"), "en": title(n, "en")},
            "link": link(n),
        }
        for n in rows
    ]
    if json_:
        print_json({"account": who.account_id, "total": total, "page": page, "notices": shown})
        return
    if not shown:
        console.print("no notices / 暂无通知")
        return
    for n in shown:
        state = "read / 已读" if n["read_at"] else "UNREAD / 未读"
        console.print(f"{n['at'][:16]}  {state}  {n['title']['en']}")
        console.print(f"    {n['title']['zh-CN']}  →  {n['link']}")
    console.print(f"{len(shown)} of {total} / 共 {total} 条")


@app.command("run")
@errors
def run(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option(help="The day to run for, YYYY-MM-DD (default today)")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Send the notices due now (and e-mail them when QCERT_SMTP_URL is set), as the server's
    schedule does every ten minutes. / 立即发送到期通知。"""
    decide(principal(ctx), "notices.run")
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise QcertError(f"--on: {on!r} is not a date YYYY-MM-DD / --on：{on!r} 不是日期") from None
    notifier = services(ctx).notifier
    assert notifier is not None
    report = notifier.run(day)
    if json_:
        print_json(report.as_dict())
        return
    console.print(
        f"{report.on}: {report.sent} notices sent, {report.mailed} e-mailed, "
        f"{len(report.failed)} not e-mailed (retried next run) / "
        f"发送 {report.sent} 条，邮件 {report.mailed} 封，{len(report.failed)} 封待重试"
    )
    for notice, why in report.failed:
        console.print(f"  {notice}: {why}")
