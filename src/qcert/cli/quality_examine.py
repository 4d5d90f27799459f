"""``qcert quality examine``: the quality physical examination report of one client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..errors import QcertError
from ._common import console, errors, ok, print_json

__all__ = ["examine"]


@errors
def examine(
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
        try:
            frame = pd.read_csv(readings)
        except (ValueError, pd.errors.ParserError) as err:
            raise QcertError(f"readings: not a readable CSV file ({err})") from None
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
