"""The supervision hub's pages: the regulator's cockpit (warnings on a map of provinces, the
risk ranking with its reasons, referrals, campaigns, the monthly situation), a warning with its
evidence and the forms to act on it, a body's portrait; and the public results of random
inspections (双随机、一公开).

Regulators see their jurisdiction: the access policy decides the routes, and every list is
scoped by the viewer's jurisdictions (``access.read_scope``) as the API's are.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import access, jurisdictions
from ..access import Forbidden
from ..errors import QcertError
from ..schemes import RuleViolation
from ..store import hub as hub_views
from ..supervision.campaigns import estimate
from ..supervision.commands import ChangeWarning, RankWarning, ReferWarning
from .hub_text import MESSAGES
from .i18n import lang_of, translator
from .provinces import PROVINCES, tiles
from .render import PageForbidden, PageNotFound, guard, page, require_csrf, services, viewer

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
_BEIJING = ZoneInfo("Asia/Shanghai")


def _names(lang: str) -> dict[str, str]:
    """Each indicator's name in ``lang`` (its id when the analytics are not installed)."""
    try:
        from ..supervision.analytics.registry import INDICATORS
    except ImportError:
        return {}
    return {k: (i.zh if lang == "zh-CN" else i.en) for k, i in INDICATORS.items()}


def _area(scope: list[str], lang: str) -> str:
    t = translator(lang, MESSAGES)
    if jurisdictions.NATION in scope:
        return t("hub.nation")
    names = []
    for code in scope:
        province = PROVINCES.get(code[:2])
        label = province[0 if lang == "zh-CN" else 1] if province else code
        names.append(label if code.endswith("0000") else f"{label} {code}")
    return "、".join(names) if lang == "zh-CN" else ", ".join(names)


def _situation(warnings: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """Where and when warnings cluster: trends per province, hot spot cities and the space-time
    scan's clusters (``supervision.situation``); None with fewer than three months."""
    import pandas as pd

    from ..supervision.situation import SituationInputInvalid, situation
    from ..worldgen import cities

    places = {c.adcode: (c.lon, c.lat) for c in cities()}
    rows = [
        {
            "city": w["region"][:4] + "00",
            "province": w["region"][:2] + "0000",
            "month": w["day"][:7],
            "count": 1,
        }
        for w in warnings
        if w["region"] and w["day"] and w["region"][:4] + "00" in places
    ]
    if len({r["month"] for r in rows}) < 3:
        return None
    try:
        found = situation(pd.DataFrame(rows), places, replications=99)
    except (SituationInputInvalid, ValueError):
        return None
    zh = lang == "zh-CN"
    names = {c.adcode: (c.name_zh if zh else c.name_en) for c in cities()}

    def province(code: str) -> str:
        known = PROVINCES.get(code[:2])
        return (known[0] if zh else known[1]) if known else code

    trends = [
        {"province": province(p.province), "total": p.total, "trend": p.label(lang)}
        for p in found.provinces
        if p.total
    ]
    hot = [
        {"city": names.get(c.city, c.city), "pattern": c.pattern.value} for c in found.hot_cities()
    ]
    clusters = [
        {
            "cities": ", ".join(names.get(x, x) for x in c.cities),
            "start": c.start,
            "end": c.end,
            "observed": c.observed,
            "p": c.p_value,
        }
        for c in found.significant()
    ]
    return {"trends": trends, "hot": hot, "clusters": clusters}


def _cockpit(request: Request) -> dict[str, Any]:
    who = viewer(request)
    assert who is not None
    scope = sorted(access.read_scope(who.principal).jurisdictions)
    lang = lang_of(request)
    with services(request).engine.connect() as conn:
        bodies = hub_views.body_rows(conn, scope)
        warnings = hub_views.warning_rows(conn, scope, limit=100_000)
        scan = hub_views.latest_scan(conn)
        above = hub_views.open_by_province(conn)
        campaigns = [
            c
            for c in hub_views.draw_rows(conn)
            if any(jurisdictions.contains(j, c["jurisdiction"]) for j in scope)
        ]
    open_ = [w for w in warnings if w["status"] not in ("confirmed", "dismissed")]
    mine = {b["id"] for b in bodies}
    grades = [g for g in (scan or {}).get("grades", []) if g["body_id"] in mine]
    own = [w for w in warnings if any(jurisdictions.contains(j, w["region"]) for j in scope)]
    referred = [w for w in warnings if w["referred_to"]]
    months = Counter((w["day"][:7], w["region"][:2]) for w in own if w["day"])
    month_keys = sorted({m for m, _ in months})[-12:]
    provinces = sorted({p for _, p in months})
    return {
        "who": who,
        "area": _area(scope, lang),
        "names": _names(lang),
        "figures": {
            "bodies": len(bodies),
            "records": sum(b["reported"] for b in bodies),
            "open": len(open_),
            "referred": sum(
                1
                for w in referred
                if any(jurisdictions.contains(j, r) for j in scope for r in w["referred_to"])
                and not any(jurisdictions.contains(j, w["region"]) for j in scope)
            ),
        },
        # Counts of every province: aggregates above a jurisdiction are every regulator's.
        "tiles": tiles(above, lang),
        "spread": _situation(own, lang),
        "warnings": open_[:50],
        "grades": grades[:50],
        "scan": scan,
        "referred": referred[:50],
        "campaigns": campaigns[:20],
        "months": month_keys,
        "situation": [
            {
                "province": PROVINCES.get(p, (p, p))[0 if lang == "zh-CN" else 1],
                "counts": [months.get((m, p), 0) for m in month_keys],
            }
            for p in provinces
        ],
        "provinces": PROVINCES,
    }


@router.get("/hub", response_class=HTMLResponse)
async def cockpit(request: Request) -> Response:
    """The regulator's cockpit for the viewer's jurisdiction."""
    context = await run_in_threadpool(_cockpit, request)
    return page(request, "ws/hub/cockpit.html", messages=MESSAGES, **context)


def _warning(request: Request, warning_id: str) -> dict[str, Any]:
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        found = hub_views.warning_row(conn, warning_id)
    if found is None:
        raise PageNotFound
    if not any(
        access.may_supervise(who.principal, r) for r in [found["region"], *found["referred_to"]]
    ):
        raise PageForbidden
    return found


@router.get("/hub/warnings/{warning_id}", response_class=HTMLResponse)
async def warning(request: Request, warning_id: str, done: str = "") -> Response:
    """A warning: its evidence, its history and the forms to act on it."""
    found = await run_in_threadpool(_warning, request, warning_id)
    lang = lang_of(request)
    return page(
        request,
        "ws/hub/warning.html",
        messages=MESSAGES,
        who=viewer(request),
        w=found,
        names=_names(lang),
        done=done == "1",
        refused="",
        due=(datetime.now(_BEIJING).date() + timedelta(days=30)).isoformat(),
    )


_ACTIONS = {"change", "rank", "refer"}


@router.post("/hub/warnings/{warning_id}/{action}", response_class=HTMLResponse)
async def act(request: Request, warning_id: str, action: str) -> Response:
    """Change, rank or refer a warning: the bus decides, a refusal shows on the page."""
    who = viewer(request)
    form = await request.form()
    require_csrf(request, form, who)
    if action not in _ACTIONS:
        raise PageNotFound
    assert who is not None
    values = {k: str(v)[:500] for k, v in form.items() if isinstance(v, str)}
    try:
        if action == "change":
            command: Any = ChangeWarning(
                warning_id, values.get("status", ""), values.get("reason", "")
            )
        elif action == "rank":
            command = RankWarning(
                warning_id, int(values.get("priority") or 0), values.get("reason", "")
            )
        else:
            command = ReferWarning(
                warning_id,
                values.get("to", ""),
                date.fromisoformat(values.get("due") or "1900-01-01"),
                values.get("reason", ""),
            )
        await run_in_threadpool(services(request).bus.handle, command, who.principal)
    except (RuleViolation, Forbidden, QcertError, ValueError) as err:
        found = await run_in_threadpool(_warning, request, warning_id)
        lang = lang_of(request)
        why = getattr(err, "zh" if lang == "zh-CN" else "en", None) or str(err)
        return page(
            request,
            "ws/hub/warning.html",
            status=409,
            messages=MESSAGES,
            who=who,
            w=found,
            names=_names(lang),
            done=False,
            refused=why,
            due=values.get("due", ""),
        )
    return RedirectResponse(f"/hub/warnings/{warning_id}?done=1", status_code=303)


def _portrait(request: Request, body_id: str) -> dict[str, Any]:
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        found = next((b for b in hub_views.body_rows(conn, ["100000"]) if b["id"] == body_id), None)
        if found is None:
            raise PageNotFound
        if not access.may_supervise(who.principal, found["region"]):
            raise PageForbidden
        records = hub_views.record_rows(conn, ["100000"], body_id=body_id, limit=100_000)
        scan = hub_views.latest_scan(conn)
        warnings = [
            w
            for w in hub_views.warning_rows(conn, ["100000"], limit=100_000)
            if w["body_id"] == body_id
        ]
    grade = next((g for g in (scan or {}).get("grades", []) if g["body_id"] == body_id), None)
    return {
        "who": who,
        "body": found,
        "kinds": Counter(r["kind"] for r in records),
        "grade": grade,
        "warnings": warnings[:50],
        "names": _names(lang_of(request)),
    }


@router.get("/hub/bodies/{body_id}", response_class=HTMLResponse)
async def portrait(request: Request, body_id: str) -> Response:
    """A body's portrait: what it reported, how its log was witnessed, its grade and warnings."""
    context = await run_in_threadpool(_portrait, request, body_id)
    return page(request, "ws/hub/body.html", messages=MESSAGES, **context)


@router.get("/inspections", response_class=HTMLResponse)
async def inspections(request: Request) -> Response:
    """Every random inspection campaign, in public."""

    def read() -> list[dict[str, Any]]:
        with services(request).engine.connect() as conn:
            return hub_views.draw_rows(conn)

    rows = await run_in_threadpool(read)
    return page(
        request,
        "ws/hub/inspections.html",
        messages=MESSAGES,
        who=viewer(request, required=False),
        campaigns=rows,
    )


@router.get("/inspections/{draw_id}", response_class=HTMLResponse)
async def inspection(request: Request, draw_id: str) -> Response:
    """One campaign in public: what it committed to, what it drew, the results, the estimate."""

    def read() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        with services(request).engine.connect() as conn:
            found = hub_views.draw_row(conn, draw_id)
        if found is None or not found["seed"]:
            return found, None
        return found, estimate(found, services(request).documents.read(found["inputs_sha256"]))

    found, guess = await run_in_threadpool(read)
    if found is None:
        raise PageNotFound
    return page(
        request,
        "ws/hub/inspection.html",
        messages=MESSAGES,
        who=viewer(request, required=False),
        c=found,
        estimate=guess,
        host=str(request.base_url).rstrip("/"),
    )
