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
from ._words import both

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
        console.print(both("notices.none"))
        return
    for n in shown:
        state = both("notices.read" if n["read_at"] else "notices.unread")
        console.print(f"{n['at'][:16]}  {state}  {n['title']['en']}")
        console.print(f"    {n['title']['zh-CN']}  →  {n['link']}")
    console.print(both("notices.shown", shown=len(shown), total=total))


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
        raise QcertError(both("notices.not_a_date", on=repr(on))) from None
    notifier = services(ctx).notifier
    assert notifier is not None
    report = notifier.run(day)
    if json_:
        print_json(report.as_dict())
        return
    said_ = both(
        "notices.sent",
        on=report.on,
        sent=report.sent,
        mailed=report.mailed,
        failed=len(report.failed),
    )
    console.print(said_)
    for notice, why in report.failed:
        console.print(f"  {notice}: {why}")
