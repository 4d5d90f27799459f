"""What the body's lists share between the page and its download: reading the filters, sort
and page from the query string (bounded before they are read), naming schemes and
certifications as people know them, and each list's columns as a table.

A page and its download read the same query string with the same :func:`list_query`, so a
download holds exactly the rows the page's filters select (all pages of them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ..exchange import spreadsheet
from ..lifecycle.inputs import has_controls
from ..lifecycle.naming import certification_name
from ..lifecycle.naming import organisation_name as organisation
from ..store import dashboard as views
from ..store.search import SORTS, CertificationFilter
from . import words

__all__ = [
    "COLUMNS",
    "MAX_PAGE",
    "MAX_Q",
    "MAX_SIZE",
    "ListQuery",
    "attachment",
    "certification_name",
    "list_query",
    "search_query",
    "search_rows",
    "table",
    "whole",
]

MAX_PAGE = 1_000_000  # pages: past this no body has rows, and offsets stay small integers
MAX_SIZE = 100  # rows a page at most
MAX_Q = 100  # characters of a search or a text filter
SEARCH_SHOWN = 20  # rows of each group on the search page


@dataclass(frozen=True)
class ListQuery:
    """The certification list's query string, read: the filter, the page and its size, and
    the first problem found (a message key and its values), if any, already set aside."""

    where: CertificationFilter
    page: int = 1
    size: int = 25
    error: tuple[str, dict[str, Any]] | None = None
    args: dict[str, str] = field(default_factory=dict)


def whole(text: str, top: int) -> int | None:
    """``text`` as a whole number from 1 to ``top``, or None."""
    # ASCII digits only ("²" is a digit to str.isdigit), and a number that can be asked for.
    if text.isascii() and text.isdigit() and len(text) <= 7 and 1 <= int(text) <= top:
        return int(text)
    return None


def list_query(params: Mapping[str, str], body_schemes: list[str], size: int) -> ListQuery:
    """The certification list's filters, sort and page from ``params``; a value that is not
    one the list knows is dropped (and named in ``error``), never passed on to the query."""
    error: tuple[str, dict[str, Any]] | None = None
    kept: dict[str, str] = {}

    def pick(name: str, allowed: Any, key: str) -> str | None:
        nonlocal error
        value = params.get(name) or None
        if value is not None and value not in allowed:
            error = error or (key, {})
            return None
        if value is not None:
            kept[name] = value
        return value

    stage = pick("stage", views.STAGES, "body.list.bad_stage")
    scheme = pick("scheme", body_schemes, "list.bad_scheme")
    status = pick("status", views.STATUSES, "list.bad_status")
    sort = pick("sort", SORTS, "list.bad_sort") or "organisation"
    descending = params.get("dir") == "desc"
    if descending:
        kept["dir"] = "desc"
    text = (params.get("text") or "").strip() or None
    if text is not None and len(text) > MAX_Q:
        error, text = error or ("list.bad_text", {"max": MAX_Q}), None
    if text is not None and has_controls(text):
        error, text = error or ("list.bad_text_chars", {}), None
    if text:
        kept["text"] = text
    page = whole(params.get("page", "1"), MAX_PAGE)
    if page is None:
        error, page = error or ("body.list.bad_page", {}), 1
    rows = whole(params.get("size", str(size)), MAX_SIZE)
    if rows is None:
        error, rows = error or ("list.bad_size", {"max": MAX_SIZE}), size
    if "size" in params and rows != size:
        kept["size"] = str(rows)
    where = CertificationFilter(stage, scheme, status, text, sort, descending)
    return ListQuery(where, page, rows, error, kept)


def search_query(params: Mapping[str, str]) -> tuple[str, tuple[str, dict[str, Any]] | None]:
    """The search's ``q``, trimmed, or the problem with it (empty, longer than MAX_Q, or
    holding control characters)."""
    q = (params.get("q") or "").strip()
    if not q or len(q) > MAX_Q:
        return q[:MAX_Q], ("search.bad_q", {"max": MAX_Q})
    if has_controls(q):
        return "", ("search.bad_chars", {})
    return q, None


Cell = Callable[[Mapping[str, Any], Callable[..., str], str], Any]


def _stage(r: Mapping[str, Any], t: Callable[..., str], _: str) -> str:
    return t("stage." + r["stage"])


def _status(r: Mapping[str, Any], t: Callable[..., str], _: str) -> str:
    return t("stage." + r["status"]) if r.get("status") else ""


def _programme_item(r: Mapping[str, Any], t: Callable[..., str], _: str) -> str:
    item = r["item"]
    if item.startswith("surveillance-"):
        return t("kind.surveillance") + " " + item.split("-", 1)[1]
    return t("kind.recertification")


def _kind(r: Mapping[str, Any], t: Callable[..., str], _: str) -> str:
    try:
        return t("kind." + r["kind"])
    except KeyError:
        return r["kind"]


def _field(name: str) -> Cell:
    return lambda r, _t, _lang: r.get(name)


def _cert(r: Mapping[str, Any], _t: Callable[..., str], lang: str) -> str:
    return certification_name(r, lang)


# Each downloadable list's columns: (header key, cell).
COLUMNS: dict[str, list[tuple[str, Cell]]] = {
    "certifications": [
        ("col.certification", lambda r, _t, lang: certification_name(r, lang)),
        ("col.organisation", lambda r, _t, lang: organisation(r, lang)),
        ("col.uscc", _field("uscc")),
        ("col.scheme", lambda r, _t, _lang: words.scheme_label(r["scheme_id"])),
        ("col.sectors", lambda r, _t, _l: ", ".join(str(s) for s in r["sectors"])),
        ("col.stage", _stage),
        ("col.next_due", _field("next_due")),
        ("col.certificate", _field("number")),
        ("col.status", _status),
        ("col.expiry", _field("expiry_date")),
        ("col.id", _field("id")),
    ],
    "audits_this_month": [
        ("col.certification", _cert),
        ("col.audit", _field("audit_id")),
        ("col.kind", _kind),
        ("col.dates", lambda r, _t, _l: f"{r['start']} – {r['end']}"),
    ],
    "due_soon": [
        ("col.certification", _cert),
        ("col.item", _programme_item),
        ("col.due_by", _field("due_by")),
    ],
    "suspensions": [
        ("col.certification", _cert),
        ("col.certificate", _field("number")),
        ("col.deadline", _field("deadline")),
        ("col.days_left", _field("days_left")),
    ],
    "open_majors": [
        ("col.certification", _cert),
        ("col.finding", _field("finding_id")),
        ("col.audit", _field("audit_id")),
        ("col.clause", _field("clause")),
        ("col.status", lambda r, t, _l: t("finding." + r["status"])),
    ],
    "search": [
        ("col.group", lambda r, t, _l: t("search.group." + r["group"])),
        ("col.name", _field("name")),
        ("col.id", _field("id")),
        ("col.scheme", _field("scheme")),
        ("col.status", _field("status")),
    ],
}
COLUMNS["overdue"] = COLUMNS["due_soon"]


def table(
    listing: str,
    rows: list[Mapping[str, Any]],
    t: Callable[..., str],
    lang: str,
    columns: Mapping[str, list[tuple[str, Cell]]] = COLUMNS,
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of ``listing``'s download, in ``lang`` (its columns from
    ``columns``: the body's lists unless another part's are given)."""
    chosen = columns[listing]
    return [t(key) for key, _ in chosen], [[cell(r, t, lang) for _, cell in chosen] for r in rows]


def attachment(data: bytes, fmt: str, name: str) -> Response:
    """``data`` in ``fmt`` (a key of ``spreadsheet.FORMATS``) as a download named ``name``."""
    # An ASCII name for old browsers, the exact one (RFC 6266 / RFC 5987) for the others.
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = (
        f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    )
    return Response(
        data,
        media_type=spreadsheet.FORMATS[fmt],
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def search_rows(groups: Mapping[str, Any], t: Callable[..., str], lang: str) -> list[dict]:
    """The search's groups as one list of rows: kind, name, id, scheme, status."""
    rows: list[dict[str, Any]] = []
    for o in groups["organisations"].rows:
        rows.append({"group": "organisations", "name": organisation(o, lang), "id": o["uscc"]})
    for c in groups["certifications"].rows:
        rows.append(
            {
                "group": "certifications",
                "name": certification_name(c, lang),
                "id": c["id"],
                "scheme": words.scheme_label(c["scheme_id"]),
                "status": t("stage." + c["stage"]),
            }
        )
    for c in groups["certificates"].rows:
        rows.append(
            {
                "group": "certificates",
                "name": organisation(c, lang),
                "id": c["number"],
                "scheme": words.scheme_label(c["scheme_id"]),
                "status": t("stage." + c["status"]),
            }
        )
    for a in groups["auditors"].rows:
        rows.append({"group": "auditors", "name": a["name"], "id": a["registration_no"]})
    return rows
