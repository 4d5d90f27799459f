"""``qcert quality examine``: the quality physical examination report of one organisation,
from its records in the store (its streams, its certification history and its peers)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ..access import decide
from ..errors import QcertError
from ._common import console, errors, ok, principal, print_json, services, settings
from ._words import both

__all__ = ["examine"]


@errors
def examine(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help="Organisation id / 组织编号")],
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Start: an RFC 3339 instant, or YYYY-MM-DD from the start of that day in "
            "QCERT_TIMEZONE (default: 30 days before --to) / "
            "起始时间或日期（按配置时区当日零时起）",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="End (exclusive): an RFC 3339 instant, or YYYY-MM-DD up to the end of that day "
            "in QCERT_TIMEZONE; default now / 截止时间或日期（含当日，按配置时区）",
        ),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Write the bilingual PDF report / 输出 PDF 报告")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the report: .pdf or .html / 输出报告文件")
    ] = None,
    lang: Annotated[str, typer.Option(help="HTML language: en, zh-CN or both")] = "both",
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = (
        False
    ),
) -> None:
    """Examine an organisation from its own records: per stream capability, chart signals,
    alarms and their likely causes, trend, peer percentiles; its certification history.

    依据组织自身记录进行质量体检：各数据流的过程能力、控制图信号、报警及原因、趋势、同行百分位，以及认证记录。
    """
    from ..examinations import examine as gather
    from ..examinations import window
    from ..reports.examination import render_html, render_pdf, summary
    from ..reports.examination_text import LANGS

    if lang not in LANGS:
        raise QcertError(both("examine.lang", langs=", ".join(LANGS)))
    if out is not None and out.suffix.lower() not in (".pdf", ".html"):
        raise QcertError(both("examine.out_suffix"))
    who = principal(ctx)
    decide(who, "records.read")
    begin, stop = window(start, end, datetime.now(UTC), settings(ctx).timezone)
    report = gather(services(ctx).engine, who, organisation, begin, stop)
    html = render_html(report, lang) if out is not None and out.suffix == ".html" else None
    written = []
    if out is not None:
        if html is not None:
            out.write_text(html, encoding="utf-8")
        else:
            out.write_bytes(render_pdf(report))
        written.append(str(out))
    if pdf is not None:
        pdf.write_bytes(render_pdf(report))
        written.append(str(pdf))
    data = summary(report)
    if written:
        data["report"] = written
    if json_:
        print_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    name = data["name"]
    console.print(f"{both('examine.title')}: {data['organisation']} {name['zh']} {name['en']}")
    console.print(
        f"  {both('examine.period')}: {data['from']} – {data['to']}, "
        f"{both('examine.readings')} {data['readings']}"
    )
    h = data["history"]
    console.print(
        f"  {both('examine.certifications')} {h['certifications']}, "
        f"{both('examine.audits')} {h['audits']}, "
        f"{both('examine.open_findings')} {h['open_findings']} "
        f"({both('examine.major')} {h['open_major']}), "
        f"{both('examine.suspensions')} {h['suspensions']}"
    )
    for note in data["notes"]:
        console.print(f"  {note['en']}")
        console.print(f"  {note['zh']}")
    for s in data["streams"]:
        console.print(
            f"  {both('examine.stream')} {s['device']}: "
            f"{both('examine.stream_readings', readings=s['readings'])}, "
            f"{both('examine.anchored', anchored=s['anchored'])}"
        )
        if "skipped" in s:
            console.print(f"    {s['skipped']['en']}")
            console.print(f"    {s['skipped']['zh']}")
            continue
        for c in s["characteristics"]:
            said_ = both(
                "examine.characteristic",
                name=c["name"],
                cpk=c["cpk"],
                low=c["cpk_ci"][0],
                high=c["cpk_ci"][1],
                ppk=c["ppk"],
                signals=c["signals_after_baseline"],
            )
            console.print(f"    {said_}")
        alarm = s["alarm"]
        if alarm:
            said_ = both(
                "examine.alarm_at",
                reading=alarm["index"],
                time=alarm["time"],
                onset=alarm["onset"],
                top=alarm["top"],
            )
            console.print(f"    {said_}")
        else:
            console.print("    " + both("examine.no_alarm"))
        for r in s["recommendations"]:
            console.print(f"    [{r['priority']}] {r['en']}")
            console.print(f"        {r['zh']}")
    for path in data.get("report", []):
        console.print(ok(f"{both('examine.written')}: {path}"))
