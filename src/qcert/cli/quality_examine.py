"""``qcert quality examine``: the quality physical examination report of one client."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ..errors import QcertError
from ..lifecycle import RecordLineAlarm
from ._common import console, errors, ok, principal, print_json, read_csv, services

__all__ = ["examine"]


def _record(ctx: typer.Context, client_id: str, line: str, exam: object) -> list[int]:
    """The alarm as a ``line.alarm-raised`` event (none when there is no alarm)."""
    alarm = getattr(exam, "alarm", None)
    if alarm is None:
        return []
    cmd = RecordLineAlarm(
        client_id,
        line,
        alarm.index,
        alarm.onset if alarm.onset is not None else alarm.index,
        alarm.statistic,
        alarm.value,
        float(exam.monitor_limits[alarm.statistic]),  # type: ignore[attr-defined]
        [name for name, _ in alarm.top],
        datetime.now(UTC),
    )
    return services(ctx).bus.handle(cmd, principal(ctx)).indices


@errors
def examine(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(help="Client organisation id / 客户组织编号")],
    out: Annotated[
        Path | None, typer.Option(help="Write the report: .pdf or .html / 输出报告文件")
    ] = None,
    readings: Annotated[
        Path | None,
        typer.Option(help="CSV of the line's readings (demo line columns); default: generated"),
    ] = None,
    normal: Annotated[
        int | None, typer.Option(min=20, help="Leading readings of normal operation / 基线读数")
    ] = None,
    lang: Annotated[str, typer.Option(help="HTML language: en, zh-CN or both")] = "both",
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="LINE",
            help="Record the alarm on the ledger as line LINE's event / 将报警记入账本",
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = (
        False
    ),
) -> None:
    """Examine a client's line: capability, alarms and causes, trend, peers, risk, advice.

    检查组织生产线：过程能力、报警及原因、趋势、同行对比、风险与改进建议。
    """
    from ..reports.examination import demo_examination, render_html, render_pdf, summary

    if out is not None and out.suffix.lower() not in (".pdf", ".html"):
        raise QcertError("out: the report file must end in .pdf or .html")
    frame = None
    if readings is not None:
        frame = read_csv(readings, "readings")
    try:
        exam = demo_examination(client_id, frame, normal)
        html = render_html(exam, lang) if out is not None and out.suffix == ".html" else None
    except ValueError as err:
        raise QcertError(str(err)) from None
    if out is not None:
        if html is not None:
            out.write_text(html, encoding="utf-8")
        else:
            out.write_bytes(render_pdf(exam))
    data = summary(exam)
    if out is not None:
        data["report"] = str(out)
    if record is not None:
        data["recorded"] = _record(ctx, client_id, record, exam)
    if json_:
        print_json(data)
        return
    _print(data)


def _print(data: dict) -> None:
    console.print(f"Quality examination / 质量体检: {data['organisation']}")
    for c in data["characteristics"]:
        console.print(
            f"  {c['name']}: Cpk {c['cpk']:.2f} [{c['cpk_ci'][0]:.2f}, {c['cpk_ci'][1]:.2f}], "
            f"Ppk {c['ppk']:.2f}, signals {c['signals_after_baseline']}"
        )
    alarm = data["alarm"]
    if alarm:
        console.print(
            f"  alarm / 报警: reading {alarm['index']} (onset {alarm['onset']}), "
            f"top: {', '.join(alarm['top'])}"
        )
    else:
        console.print("  no alarm / 无报警")
    if data["risk"] is not None:
        console.print(f"  risk / 风险: {data['risk']:.0%}")
    for r in data["recommendations"]:
        console.print(f"  [{r['priority']}] {r['en']}")
        console.print(f"      {r['zh']}")
    if "report" in data:
        console.print(ok(f"report written / 报告已写入: {data['report']}"))
    if data.get("recorded"):
        at = ", ".join(map(str, data["recorded"]))
        console.print(ok(f"alarm recorded on the ledger at / 报警已记入账本: {at}"))
