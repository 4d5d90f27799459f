"""``qcert schemes ...``: list, show, validate, audit-time, sample-sites."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from ..schemes import bundled as bundled_schemes
from ..schemes import get, load, sample_sizes, scheme_audit_time
from ._common import console, errors, ok, print_json
from ._words import both

app = typer.Typer(
    help="Certification schemes as data. / 认证方案（数据化）。", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]


@app.command("list")
@errors
def list_(json_: JsonOpt = False) -> None:
    """List the bundled schemes. / 列出内置认证方案。"""
    schemes = list(bundled_schemes().values())
    if json_:
        print_json(
            [
                {
                    "id": s.id,
                    "version": s.version,
                    "kind": s.kind.value,
                    "standard": f"{s.standard.code}:{s.standard.edition}",
                    "title": {"zh-CN": s.title.zh, "en": s.title.en},
                }
                for s in schemes
            ]
        )
        return
    for s in schemes:
        standard = f"{s.standard.code}:{s.standard.edition}"
        console.print(f"{s.id}  v{s.version}  {standard}  {s.title.zh} / {s.title.en}")


@app.command()
@errors
def show(
    scheme_id: Annotated[str, typer.Argument(metavar="ID", help="Scheme id or short name")],
    json_: JsonOpt = False,
) -> None:
    """Show a scheme: clauses, stages, rules. / 显示认证方案。"""
    scheme = get(scheme_id)
    if json_:
        print_json(scheme.model_dump(mode="json", by_alias=True))
        return
    console.print(f"{scheme.id} v{scheme.version}  {scheme.title.zh} / {scheme.title.en}")
    said_ = both(
        "schemes.standard",
        code=scheme.standard.code,
        edition=scheme.standard.edition,
        accreditation=scheme.accreditation,
        years=scheme.validity_years,
        source=scheme.audit_time.source,
    )
    console.print(said_)
    console.print(both("schemes.stages") + ":")
    for s in scheme.stages:
        where = both(
            "schemes.test"
            if s.activity == "test"
            else "schemes.on_site"
            if s.on_site
            else "schemes.off_site"
        )
        console.print(f"  {s.id}  {s.phase}, {where}  {s.title.zh} / {s.title.en}  [{s.source}]")
    console.print(both("schemes.decision_rules") + ":")
    for r in scheme.decision_rules:
        params = ", ".join(
            p
            for p in (r.stage and f"stage {r.stage}", r.grades and "grades " + "/".join(r.grades))
            if p
        )
        console.print(
            f"  decision.{r.id}  {r.check}{f' ({params})' if params else ''}  "
            f"{r.text.zh} / {r.text.en}  [{r.source}]"
        )

    def walk(clauses, depth: int) -> None:
        for c in clauses:
            console.print(f"{'  ' * depth}{c.id}  {c.title.zh} / {c.title.en}")
            walk(c.clauses, depth + 1)

    walk(scheme.clauses, 0)


@app.command()
@errors
def validate(
    file: Annotated[Path, typer.Argument(help="A scheme YAML file")], json_: JsonOpt = False
) -> None:
    """Validate a scheme file against the scheme schema. / 校验方案文件。"""
    scheme = load(file)
    if json_:
        print_json(
            {
                "ok": True,
                "id": scheme.id,
                "version": scheme.version,
                "clauses": len(scheme.all_clauses()),
            }
        )
        return
    clauses = len(scheme.all_clauses())
    said_ = both("schemes.valid", file=file, id=scheme.id, version=scheme.version, clauses=clauses)
    console.print(ok(said_))


@app.command("audit-time")
@errors
def audit_time_cmd(
    scheme_id: Annotated[str, typer.Argument(metavar="ID", help="Scheme id or short name")],
    personnel: Annotated[int, typer.Option(help="Effective number of personnel (IAF MD 5 1.9)")],
    complexity: Annotated[
        str | None, typer.Option(help="high, medium, low or limited (EMS, OH&S)")
    ] = None,
    reduction: Annotated[float, typer.Option(help="Net reduction for MD 5 factors, %")] = 0.0,
    integrated: Annotated[float, typer.Option(help="Integrated-audit reduction (MD 11), %")] = 0.0,
    per_site: Annotated[
        bool, typer.Option("--per-site", help="One sampled site of a multi-site client (MD 1)")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Audit days: initial, surveillance, recertification, with reasons. / 审核人日。"""
    result = scheme_audit_time(
        get(scheme_id), personnel, complexity, reduction, integrated, per_site=per_site
    )
    if json_:
        print_json(asdict(result))
        return
    for indent, label, days in (
        ("", "schemes.initial_audit", result.initial_days),
        ("  ", "schemes.on_site_min", result.on_site_min_days),
        ("", "schemes.surveillance_each", result.surveillance_days),
        ("", "schemes.recertification", result.recertification_days),
    ):
        console.print(f"{indent}{both(label)}: {both('schemes.days', days=days)}")
    console.print(both("schemes.justification") + ":")
    for r in result.reasons:
        console.print(f"  - {r.en}\n    {r.zh}  [{r.rule}]")


@app.command("sample-sites")
@errors
def sample_sites(
    sites: Annotated[int, typer.Option(help="Sites besides the central function")],
    json_: JsonOpt = False,
) -> None:
    """Multi-site sample sizes (IAF MD 1). / 多场所抽样数量。"""
    result = sample_sizes(sites)
    if json_:
        print_json(asdict(result) | {"cycle": result.cycle()})
        return
    console.print(
        f"{both('schemes.initial')}: {result.initial}; "
        f"{both('schemes.surveillance')}: {result.surveillance}; "
        f"{both('schemes.recertification')}: {result.recertification}  "
        f"(+ {both('schemes.central')})"
    )
    for r in result.reasons:
        console.print(f"  - {r.en}\n    {r.zh}  [{r.rule}]")
