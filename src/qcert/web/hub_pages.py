"""The supervision hub's pages: the regulator's cockpit (warnings on a map of provinces, the
risk ranking with its reasons, referrals, campaigns, the monthly situation), a warning with its
evidence and the forms to act on it, a body's portrait; and the public results of random
inspections (双随机、一公开).

Regulators see their jurisdiction: the access policy decides the routes, and every list is
scoped by the viewer's jurisdictions (``access.read_scope``) as the API's are. The warnings are
paged (``?page=N``); the warnings and the risk grades download as xlsx or CSV
(``/hub/export/{warnings|grades}?format=``), the rows the page shows, every page of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import access, jurisdictions
from ..access import Forbidden
from ..errors import QcertError
from ..exchange import spreadsheet
from ..locale.names import value_word
from ..schemes import RuleViolation
from ..store import hub as hub_views
from ..supervision.campaigns import estimate
from ..supervision.commands import ChangeWarning, RankWarning, ReferWarning
from . import listing
from .body_text import MESSAGES as BODY
from .hub_text import MESSAGES
from .i18n import lang_of, translator
from .provinces import PROVINCES, tiles
from .render import PageForbidden, PageNotFound, guard, page, require_csrf, services, viewer
from .search_text import MESSAGES as SEARCH

__all__ = ["COLUMNS", "PAGE_SIZE", "kind_word", "place", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
_BEIJING = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50  # warnings a page of the cockpit shows, as the body's lists do


@cache
def _text() -> dict[str, tuple[str, str]]:
    """The cockpit's words, with the downloads' and the pager's as the body's lists say
    them (read when first shown: importing the pages reads no catalog)."""
    return {
        **MESSAGES,
        **{k: v for k, v in SEARCH.items() if k.startswith("export.")},
        **{k: BODY[k] for k in ("body.list.prev", "body.list.next")},
    }


def _indicators() -> dict[str, Any]:
    """The indicator registry (empty when the analytics are not installed)."""
    try:
        from ..supervision.analytics.registry import INDICATORS
    except ImportError:
        return {}
    return INDICATORS


def _names(lang: str) -> dict[str, str]:
    """Each indicator's name in ``lang`` (its id when the analytics are not installed)."""
    return {k: (i.zh if lang == "zh-CN" else i.en) for k, i in _indicators().items()}


@cache
def _cities() -> dict[str, tuple[str, str]]:
    from ..worldgen import cities

    return {c.adcode: (c.name_zh, c.name_en) for c in cities()}


def place(code: str, lang: str) -> str:
    """A division (GB/T 2260 code) by name in ``lang``: its city (杭州市 for 330100 and the
    counties under it), else its province, else the code itself; '' for no code."""
    pick = 0 if lang == "zh-CN" else 1
    if not code:
        return ""
    if code == jurisdictions.NATION:
        return MESSAGES["hub.nation"][pick]
    if not code.endswith("0000"):
        city = _cities().get(code[:4] + "00")
        if city:
            return city[pick]
    province = PROVINCES.get(code[:2])
    return province[pick] if province else code


def kind_word(kind: str, lang: str) -> str:
    """An entity kind (``auditor``, ``certificate``...) as a word in ``lang``: the shared
    names' word, or the hub's own for the kinds they do not name."""
    own = MESSAGES.get(f"hub.kind.{kind}")
    if own:
        return own[0 if lang == "zh-CN" else 1]
    return value_word(kind, lang)


def _body_name(body_id: str, bodies: dict[str, tuple[str, str]], lang: str) -> str:
    zh, en = bodies.get(body_id, (body_id, body_id))
    return zh if lang == "zh-CN" or not en else en


def _measured(indicator: str, value: float, lang: str) -> str:
    found = _indicators().get(indicator)
    return found.shown(value, lang) if found else f"{value:g}"


def _described(w: dict[str, Any], bodies: dict[str, tuple[str, str]], lang: str) -> dict:
    """A warning with what its page and download show in words: the entity's kind, the body's
    name, the region's name and the value and threshold with their unit."""
    return {
        **w,
        "kind_word": kind_word(w["entity_kind"], lang),
        "body_name": _body_name(w["body_id"], bodies, lang),
        "place": place(w["region"], lang),
        "measured": _measured(w["indicator"], w["value"], lang),
        "bound": _measured(w["indicator"], w["threshold"], lang),
    }


def _graded(g: dict[str, Any], bodies: dict[str, tuple[str, str]], lang: str) -> dict:
    names = _names(lang)
    # Chinese sets its own semicolon between the reasons, without a space.
    why = ("；" if lang == "zh-CN" else "; ").join(names.get(i, i) for i in g["top"])
    return {**g, "body_name": _body_name(g["body_id"], bodies, lang), "why": why}


def _area(scope: list[str], lang: str) -> str:
    t = translator(lang, MESSAGES)
    if jurisdictions.NATION in scope:
        return t("hub.nation")
    names = [place(code, lang) for code in scope]
    return "、".join(names) if lang == "zh-CN" else ", ".join(names)


def _situation(
    warnings: list[dict[str, Any]], scope: list[str], lang: str
) -> dict[str, Any] | None:
    """Where and when warnings cluster within ``scope`` (the regulator's divisions): trends
    per province, hot spot cities and the space-time scan's clusters
    (``supervision.situation``); None with fewer than three months."""
    import pandas as pd

    from ..supervision.situation import SituationInputInvalid, situation
    from ..worldgen import cities

    # Only the cities of the jurisdiction: a city outside it would count as quiet (its
    # warnings are not this regulator's), and a neighbour of a hot city would be called hot.
    places = {
        c.adcode: (c.lon, c.lat)
        for c in cities()
        if any(jurisdictions.contains(j, c.adcode) for j in scope)
    }
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
        {"city": names.get(c.city, c.city), "code": c.city, "pattern": c.pattern.label(lang)}
        for c in found.hot_cities()
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


def _months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _lists(request: Request) -> dict[str, Any]:
    """What the cockpit's lists hold for the viewer, every row of them: the scope, the
    bodies, the warnings (open ones by priority), the latest scan's grades of the bodies within
    the scope; warnings and grades described in the viewer's language. The page and its
    downloads both read this, so a download holds exactly the page's rows (all pages). The
    open warnings come as stored: each reader describes (:func:`_described`) those it shows,
    the page one page of them, a download every one."""
    who = viewer(request)
    assert who is not None
    scope = sorted(access.read_scope(who.principal).jurisdictions)
    lang = lang_of(request)
    with services(request).engine.connect() as conn:
        bodies = hub_views.body_rows(conn, scope)
        names = hub_views.body_names(conn)
        warnings = hub_views.warning_rows(conn, scope, limit=100_000)
        scan = hub_views.latest_scan(conn)
        above = hub_views.open_by_province(conn)
        campaigns = [
            c
            for c in hub_views.draw_rows(conn)
            if any(jurisdictions.contains(j, c["jurisdiction"]) for j in scope)
        ]
    mine = {b["id"] for b in bodies}
    return {
        "who": who,
        "scope": scope,
        "lang": lang,
        "bodies": bodies,
        "warnings": warnings,
        "names": names,
        "open": [w for w in warnings if w["status"] not in ("confirmed", "dismissed")],
        "grades": [
            _graded(g, names, lang) for g in (scan or {}).get("grades", []) if g["body_id"] in mine
        ],
        "scan": scan,
        "above": above,
        "campaigns": campaigns,
    }


def _shown(total: int, current: int) -> dict[str, int]:
    start = (current - 1) * PAGE_SIZE
    return {
        "first": start + 1 if total else 0,
        "last": min(start + PAGE_SIZE, total),
        "total": total,
    }


def _cockpit(request: Request) -> dict[str, Any]:
    found = _lists(request)
    who, scope, lang = found["who"], found["scope"], found["lang"]
    t = translator(lang, MESSAGES)
    warnings, open_, grades = found["warnings"], found["open"], found["grades"]
    pages = max(1, -(-len(open_) // PAGE_SIZE))
    current = listing.whole(request.query_params.get("page", "1"), pages)
    error = None if current is not None else t("hub.bad_page", pages=pages)
    current = current or 1
    own = [w for w in warnings if any(jurisdictions.contains(j, w["region"]) for j in scope)]
    referred = [w for w in warnings if w["referred_to"]]
    months = Counter((w["day"][:7], w["region"][:2]) for w in own if w["day"])
    seen = sorted({m for m, _ in months})
    # Every month of the range, a quiet one as zeros: a gap in the columns reads as no gap.
    month_keys = _months(seen[0], seen[-1])[-12:] if seen else []
    # Warnings without a region last, under their own label.
    provinces = sorted({p for _, p in months}, key=lambda p: (not p, p))
    start = (current - 1) * PAGE_SIZE
    return {
        "who": who,
        "area": _area(scope, lang),
        "names": _names(lang),
        "figures": {
            "bodies": len(found["bodies"]),
            "records": sum(b["reported"] for b in found["bodies"]),
            "open": len(open_),
            "referred": sum(
                1
                for w in referred
                if any(jurisdictions.contains(j, r) for j in scope for r in w["referred_to"])
                and not any(jurisdictions.contains(j, w["region"]) for j in scope)
            ),
        },
        # Counts of every province: aggregates above a jurisdiction are every regulator's.
        "tiles": tiles(found["above"], lang),
        "spread": _situation(own, scope, lang),
        "warnings": [_described(w, found["names"], lang) for w in open_[start : start + PAGE_SIZE]],
        "current": current,
        "pages": pages,
        "shown": _shown(len(open_), current),
        "error": error,
        "grades": grades[:PAGE_SIZE],
        "graded": _shown(len(grades), 1),
        "scan": found["scan"],
        "referred": referred[:50],
        "campaigns": found["campaigns"][:20],
        "months": month_keys,
        "situation": [
            {
                "province": PROVINCES.get(p, (p, p))[0 if lang == "zh-CN" else 1]
                if p
                else t("hub.region.unknown"),
                "counts": [months.get((m, p), 0) for m in month_keys],
            }
            for p in provinces
        ],
        "provinces": PROVINCES,
        "place": lambda code: place(code, lang),
    }


@router.get("/hub", response_class=HTMLResponse)
async def cockpit(request: Request) -> Response:
    """The regulator's cockpit for the viewer's jurisdiction."""
    context = await run_in_threadpool(_cockpit, request)
    status = 422 if context["error"] else 200
    return page(request, "ws/hub/cockpit.html", status, messages=_text(), **context)


def _priority(r: Mapping[str, Any], t: Callable[..., str], _: str) -> Any:
    return r["priority"] or t("hub.auto")


def _field(name: str) -> listing.Cell:
    return lambda r, _t, _lang: r.get(name)


# Each download's columns: (header key, cell); the words as the page shows them.
COLUMNS: dict[str, list[tuple[str, listing.Cell]]] = {
    "warnings": [
        ("hub.col.priority", _priority),
        ("hub.col.indicator", lambda r, _t, lang: _names(lang).get(r["indicator"], r["indicator"])),
        ("hub.col.kind", _field("kind_word")),
        ("hub.col.entity_id", _field("entity_id")),
        ("hub.col.body", _field("body_name")),
        ("hub.col.body_id", _field("body_id")),
        ("hub.col.region", lambda r, t, _l: r["place"] or t("hub.region.unknown")),
        ("hub.col.region_code", _field("region")),
        ("hub.col.measured", _field("measured")),
        ("hub.col.bound", _field("bound")),
        ("hub.col.status", lambda r, t, _l: t("status." + r["status"])),
        ("hub.col.day", _field("day")),
        ("hub.col.id", _field("id")),
    ],
    "grades": [
        ("hub.col.body", _field("body_name")),
        ("hub.col.body_id", _field("body_id")),
        ("hub.col.grade", _field("grade")),
        ("hub.col.score", lambda r, _t, _l: round(float(r["score"]), 2)),
        ("hub.col.certificates", _field("exposure")),
        ("hub.col.why", _field("why")),
    ],
}


@router.get("/hub/export/{listing_name}")
async def export(request: Request, listing_name: str) -> Response:
    """The cockpit's warnings (open ones, every page) or its risk grades as xlsx or CSV: the
    rows the page shows the viewer, read by the same function."""
    if listing_name not in COLUMNS:
        raise PageNotFound
    who = viewer(request)
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in spreadsheet.FORMATS:
        return page(
            request,
            "ws/message.html",
            422,
            who,
            _text(),
            title="hub.export.refused",
            body="export.bad_format",
            code=422,
        )
    found = await run_in_threadpool(_lists, request)
    lang = found["lang"]
    rows = (
        [_described(w, found["names"], lang) for w in found["open"]]
        if listing_name == "warnings"
        else found["grades"]
    )
    t = translator(lang, MESSAGES)
    head, cells = listing.table(listing_name, rows, t, lang, COLUMNS)
    name = f"hub-{listing_name}-{datetime.now(_BEIJING).date().isoformat()}"
    if fmt == "csv":
        return listing.attachment(spreadsheet.write_csv(head, cells), fmt, name)
    return listing.attachment(spreadsheet.write_xlsx(listing_name, head, cells), fmt, name)


def _warning(request: Request, warning_id: str) -> dict[str, Any]:
    who = viewer(request)
    assert who is not None
    with services(request).engine.connect() as conn:
        found = hub_views.warning_row(conn, warning_id)
        bodies = hub_views.body_names(conn)
    if found is None:
        raise PageNotFound
    if not any(
        access.may_supervise(who.principal, r) for r in [found["region"], *found["referred_to"]]
    ):
        raise PageForbidden
    return _described(found, bodies, lang_of(request))


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
        place=lambda code: place(code, lang),
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
            place=lambda code: place(code, lang),
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
        bodies = hub_views.body_names(conn)
    lang = lang_of(request)
    grade = next((g for g in (scan or {}).get("grades", []) if g["body_id"] == body_id), None)
    return {
        "who": who,
        "body": found,
        "kinds": Counter(r["kind"] for r in records),
        "grade": _graded(grade, bodies, lang) if grade else None,
        "warnings": [_described(w, bodies, lang) for w in warnings[:50]],
        "names": _names(lang),
        "place": lambda code: place(code, lang),
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
        place=lambda code: place(code, lang_of(request)),
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
        place=lambda code: place(code, lang_of(request)),
        kind_word=lambda kind: kind_word(kind, lang_of(request)),
        host=str(request.base_url).rstrip("/"),
    )
