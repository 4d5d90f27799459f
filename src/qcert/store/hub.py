"""The hub's reads: what intake needs to know of a body's earlier records, the roots of logs the
hub can vouch for, and the views regulators read (always scoped to a jurisdiction)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import jurisdictions as jurisdiction
from ..exchange.mapping import size_class
from ..ledger.checkpoint import Checkpoint
from ..ledger.hashing import SHA256
from ..ledger.note import split_note
from ..ledger.storage.sql import checkpoints_table
from ..ledger.storage.witness import witness_logs
from ..supervision.intake import Known
from . import tables as t

__all__ = [
    "bodies_of_origin",
    "body_names",
    "body_rows",
    "certificate_trail",
    "draw_row",
    "draw_rows",
    "known",
    "log_root",
    "record_rows",
]

_CHUNK = 500  # ids per IN (...) list


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(dict.fromkeys(values))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def known(
    conn: Connection,
    body_id: str,
    record_ids: Iterable[str],
    numbers: Iterable[str],
    certification_ids: Iterable[str],
) -> Known:
    """What the hub holds of ``body_id`` that a submission's records refer to: the latest
    revision of each record id, the links from certificate numbers to their certifications,
    and from certifications to their organisations' regions."""
    r = t.hub_records.c
    out = Known()
    mine = r.body_id == body_id
    for ids in _chunks(record_ids):
        query = sa.select(r.record_id, r.kind, r.revision, r.hash).where(mine, r.record_id.in_(ids))
        for rid, kind, revision, digest in conn.execute(query.order_by(r.revision)):
            out.records[rid] = (kind, revision, digest)
    for ids in _chunks(numbers):
        query = sa.select(r.certificate_no, r.certification_id).where(
            mine, r.kind == "certificate", r.certificate_no.in_(ids)
        )
        out.numbers.update({n: c for n, c in conn.execute(query)})
    cids = [*certification_ids, *out.numbers.values()]
    for ids in _chunks(c for c in cids if c):
        query = sa.select(r.certification_id, r.region).where(
            mine, r.kind == "application", r.certification_id.in_(ids), r.region.is_not(None)
        )
        out.regions.update({c: region for c, region in conn.execute(query)})
    return out


def log_root(conn: Connection, origin: str, size: int, own: str | None) -> bytes | None:
    """The root of ``origin``'s tree of ``size`` entries, if the hub vouches for it: the
    checkpoint its witness holds of that log, or, for the hub's own log (origin ``own``), a
    checkpoint it signed itself."""
    w = witness_logs.c
    held = conn.execute(sa.select(w.root).where(w.origin == origin, w.size == size)).scalar()
    if held is not None:
        return bytes(held)
    if origin != own:
        return None
    c = checkpoints_table.c
    note = conn.execute(sa.select(c.note).where(c.suite == SHA256.name, c.size == size)).scalar()
    if note is None:
        return None
    checkpoint = Checkpoint.parse(split_note(note)[0])
    return checkpoint.root if checkpoint.size == size and checkpoint.origin == origin else None


def bodies_of_origin(conn: Connection, origin: str) -> list[str]:
    """The enrolled bodies that keep the log ``origin``."""
    b = t.hub_bodies.c
    return list(conn.execute(sa.select(b.id).where(b.origin == origin).order_by(b.id)).scalars())


def _visible(query: Any, table: sa.Table, jurisdictions: Sequence[str]) -> Any:
    """``query`` narrowed to the rows whose region lies within one of ``jurisdictions``."""
    if jurisdiction.NATION in jurisdictions:
        return query
    region = table.c.region
    return query.where(sa.or_(*(region.like(jurisdiction.prefix(j) + "%") for j in jurisdictions)))


def body_rows(conn: Connection, jurisdictions: Sequence[str]) -> list[dict[str, Any]]:
    """The enrolled bodies registered within ``jurisdictions``."""
    b = t.hub_bodies
    query = _visible(sa.select(b).order_by(b.c.id), b, jurisdictions)
    rows = []
    for row in conn.execute(query):
        out = dict(row._mapping)
        out["signing_keys"] = json.loads(out["signing_keys"])
        out["refusals"] = json.loads(out["refusals"])
        rows.append(out)
    return rows


def body_names(conn: Connection) -> dict[str, tuple[str, str]]:
    """Every enrolled body's name as it enrolled, ``id -> (zh-CN, en)``: a warning's body may
    lie outside the regulator's jurisdiction, and its name is no secret of that jurisdiction."""
    b = t.hub_bodies.c
    return {i: (zh, en) for i, zh, en in conn.execute(sa.select(b.id, b.name_zh, b.name_en))}


def record_rows(
    conn: Connection,
    jurisdictions: Sequence[str],
    *,
    kind: str | None = None,
    body_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Reported records about organisations within ``jurisdictions``, newest first."""
    r = t.hub_records
    query = sa.select(r).order_by(r.c.ledger_index.desc(), r.c.position)
    if kind:
        query = query.where(r.c.kind == kind)
    if body_id:
        query = query.where(r.c.body_id == body_id)
    query = _visible(query, r, jurisdictions).limit(limit).offset(offset)
    return [_record(row) for row in conn.execute(query)]


def _record(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["record"] = json.loads(out["record"])
    return out


def certificate_trail(conn: Connection, number: str) -> tuple[str | None, list[dict[str, Any]]]:
    """Everything reported about the certification holding certificate ``number``: its region
    (for the policy to decide on) and its records in the order the hub received them."""
    r = t.hub_records
    found = conn.execute(
        sa.select(r.c.body_id, r.c.certification_id)
        .where(r.c.kind == "certificate", r.c.certificate_no == number)
        .order_by(r.c.ledger_index)
    ).first()
    if found is None:
        return None, []
    rows = conn.execute(
        sa.select(r)
        .where(r.c.body_id == found[0], r.c.certification_id == found[1])
        .order_by(r.c.ledger_index, r.c.position)
    )
    records = [_record(row) for row in rows]
    region = next((x["region"] for x in records if x["region"]), None)
    return region, records


def _draw(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("strata", "selections", "results"):
        out[key] = json.loads(out[key])
    return out


def draw_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every random inspection campaign, newest first (their results are public: 一公开)."""
    d = t.hub_draws
    return [_draw(r) for r in conn.execute(sa.select(d).order_by(d.c.committed_on.desc(), d.c.id))]


def draw_row(conn: Connection, draw_id: str) -> dict[str, Any] | None:
    """One campaign, or None."""
    d = t.hub_draws
    row = conn.execute(sa.select(d).where(d.c.id == draw_id)).first()
    return _draw(row) if row else None


def _warning(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["evidence"], out["history"] = json.loads(out["evidence"]), json.loads(out["history"])
    out["referred_to"] = [r for r in out["referred_to"].split(",") if r]
    return out


def warning_rows(
    conn: Connection,
    jurisdictions_: Sequence[str],
    *,
    status: str | None = None,
    indicator: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Warnings on entities within ``jurisdictions_`` or referred to a region within them,
    by priority (a person's override first, else by value over threshold), newest first."""
    w = t.hub_warnings
    query = sa.select(w)
    if status:
        query = query.where(w.c.status == status)
    if indicator:
        query = query.where(w.c.indicator == indicator)
    if jurisdiction.NATION not in jurisdictions_:
        own = [w.c.region.like(jurisdiction.prefix(j) + "%") for j in jurisdictions_]
        query = query.where(sa.or_(*own, w.c.referred_to != ""))
    rows = [_warning(r) for r in conn.execute(query.order_by(w.c.day.desc(), w.c.id))]
    visible = [
        r
        for r in rows
        if jurisdiction.NATION in jurisdictions_
        or any(
            jurisdiction.contains(j, region)
            for j in jurisdictions_
            for region in (r["region"], *r["referred_to"])
        )
    ]
    visible.sort(key=lambda r: (r["priority"] or 6, -abs(r["value"] - r["threshold"])))
    return visible[offset : offset + limit]


def warning_row(conn: Connection, warning_id: str) -> dict[str, Any] | None:
    """One warning, or None."""
    w = t.hub_warnings
    row = conn.execute(sa.select(w).where(w.c.id == warning_id)).first()
    return _warning(row) if row else None


def analytic_inputs(
    conn: Connection,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, Any]]]:
    """What ``supervision.hub_frames.frames`` builds the analytic tables from: the newest
    revision of each record, every revision's times, the enrolled bodies, the registers' rows
    (the newest row of each key)."""
    r = t.hub_records
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    revisions = []
    query = sa.select(
        r.c.body_id,
        r.c.record_id,
        r.c.kind,
        r.c.revision,
        r.c.occurred_at,
        r.c.received_at,
        r.c.certification_id,
        r.c.region,
        r.c.record,
    ).order_by(r.c.ledger_index, r.c.position)
    for row in conn.execution_options(yield_per=5000).execute(query):
        out = dict(row._mapping)
        revisions.append({k: v for k, v in out.items() if k != "record"})
        out["record"] = json.loads(out["record"])
        newest[(row.body_id, row.record_id)] = out
    g = t.hub_registry
    rows: dict[tuple[str, str], Any] = {}
    for source, key, data in conn.execute(
        sa.select(g.c.source, g.c.key, g.c.data).order_by(g.c.ledger_index, g.c.position)
    ):
        rows[(source, key)] = json.loads(data)
    registry = [(source, data) for (source, _), data in rows.items()]
    return list(newest.values()), revisions, body_rows(conn, [jurisdiction.NATION]), registry


def latest_scan(conn: Connection) -> dict[str, Any] | None:
    """The newest risk scan's figures, or None before the first."""
    s = t.hub_scans
    row = conn.execute(sa.select(s).order_by(s.c.as_of.desc()).limit(1)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    for key in ("counts", "grades", "classes", "riskiest"):
        out[key] = json.loads(out[key])
    return out


def own_registers(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """The registers as this installation's own records state them, for a hub in the same
    process as its bodies: each body's approved scopes (by IAF sector), each auditor's
    registration and employer, and each organisation's registration."""
    e = t.events.c
    first = {
        row.aggregate: json.loads(row.document)["data"]
        for row in conn.execute(
            sa.select(e.aggregate, e.document).where(
                e.seq == 1, e.type.in_(("auditor.registered", "client.registered"))
            )
        )
    }
    scopes = []
    for body_id, text in conn.execute(sa.select(t.bodies.c.id, t.bodies.c.scopes)):
        for s in json.loads(text):
            scopes += [
                {
                    "body_id": body_id,
                    "scheme": s["scheme"],
                    "sector": f"{int(n):02d}",
                    "granted_on": s["from"],
                    **({"revoked_on": s["to"]} if s.get("to") else {}),
                }
                for n in s["sectors"]
            ]
    auditors, employments = [], []
    for auditor_id, body_id in conn.execute(sa.select(t.auditors.c.id, t.auditors.c.body_id)):
        data = first.get(f"auditor:{auditor_id}", {})
        number = data.get("registration_no") or auditor_id
        auditors.append(
            {"registration_id": number, "name": data.get("name_zh") or number, "registered": True}
        )
        employments.append({"registration_id": number, "body_id": body_id, "since": "2015-01-01"})
    organisations = []
    for client_id, uscc, personnel, sites in conn.execute(
        sa.select(t.clients.c.id, t.clients.c.uscc, t.clients.c.personnel, t.clients.c.sites)
    ):
        data = first.get(f"client:{client_id}", {})
        listed = json.loads(sites)
        central = next((s for s in listed if s.get("central")), listed[0] if listed else {})
        organisations.append(
            {
                "org_id": uscc,
                "name": data.get("name_zh") or client_id,
                "region": central.get("adcode") or data.get("adcode") or "110000",
                "size": size_class(int(personnel or 0)),
            }
        )
    return {
        "body-scopes": scopes,
        "auditors": auditors,
        "employments": employments,
        "organisations": organisations,
    }


def open_by_province(conn: Connection) -> dict[str, int]:
    """Open warnings per province (first two digits of the division): an aggregate every
    regulator may see, whatever its jurisdiction (国市监认证发〔2025〕72号 (十三))."""
    w = t.hub_warnings.c
    province = sa.func.substr(w.region, 1, 2)
    query = (
        sa.select(province, sa.func.count())
        .where(w.status.not_in(("confirmed", "dismissed")), w.region != "")
        .group_by(province)
    )
    return {str(p): int(n) for p, n in conn.execute(query)}


def portrait(conn: Connection, kind: str, key: str) -> dict[str, Any]:
    """Everything the hub knows of an organisation (by credit code) or an auditor (by
    registration number), from every source: the records naming it, the registers' rows, the
    warnings on it. ``regions``: the divisions its records lie in, for the policy."""
    r = t.hub_records
    records = []
    # Records name an entity in their JSON; the database narrows them before the parse.
    mention = r.c.record.like(f'%"{key}"%')
    for row in conn.execute(sa.select(r).where(mention).order_by(r.c.ledger_index, r.c.position)):
        record = json.loads(row.record)
        named = (
            record.get("uscc") == key or record.get("organisation", {}).get("uscc") == key
            if kind == "organisation"
            else record.get("registration_no") == key
            or any(m.get("registration_no") == key for m in record.get("team", []))
        )
        if named:
            records.append(_record(row))
    g = t.hub_registry
    registers = [
        {"source": source, **json.loads(data)}
        for source, data in conn.execute(
            sa.select(g.c.source, g.c.data)
            .where(g.c.data.like(f'%"{key}"%'))
            .order_by(g.c.ledger_index)
        )
        if f'"{key}"' in data  # LIKE's _ matches any character
    ]
    w = t.hub_warnings
    column = w.c.org_id if kind == "organisation" else w.c.entity_id
    warnings = [_warning(x) for x in conn.execute(sa.select(w).where(column == key))]
    regions = sorted({x["region"] for x in records if x["region"]})
    return {"kind": kind, "id": key, "records": records, "registers": registers,
            "warnings": warnings, "regions": regions}  # fmt: skip


def referred_to(conn: Connection, keys: Iterable[str]) -> set[str]:
    """The regions warnings on any of ``keys`` (an entity's id or its organisation's credit
    code) were referred to: their regulators may read what the warnings rest on."""
    w = t.hub_warnings.c
    ids = [k for k in keys if k]
    if not ids:
        return set()
    query = sa.select(w.referred_to).where(
        sa.or_(w.entity_id.in_(ids), w.org_id.in_(ids)), w.referred_to != ""
    )
    return {r for (text,) in conn.execute(query) for r in text.split(",") if r}
