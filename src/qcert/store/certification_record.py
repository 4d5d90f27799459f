"""Read view of one certification as its body's staff see it: the projections' rows, plus
what only the events hold (a finding's evidence, an audit's sites, the application's
personnel), and every event of the certification and of its client in ledger order.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = ["certification_record", "event_rows"]


def event_rows(conn: Connection, aggregates: list[str]) -> list[dict[str, Any]]:
    """Every event of ``aggregates`` in ledger order: index, type, aggregate, seq, the instant
    (``at``), the acting account (``actor``), the data, and the entry's exact bytes
    (``entry``: the canonical document that is the ledger leaf)."""
    e = t.events
    rows = conn.execute(
        sa.select(e.c.ledger_index, e.c.aggregate, e.c.seq, e.c.type, e.c.at, e.c.document)
        .where(e.c.aggregate.in_(aggregates))
        .order_by(e.c.ledger_index)
    ).mappings()
    out = []
    for r in rows:
        doc = json.loads(r["document"])
        out.append(
            {
                "ledger_index": r["ledger_index"],
                "aggregate": r["aggregate"],
                "seq": r["seq"],
                "type": r["type"],
                "at": r["at"],
                "actor": doc.get("actor", ""),
                "data": doc.get("data", {}),
                "entry": r["document"].encode(),
            }
        )
    return out


def _rows(conn: Connection, table: sa.Table, cid: str, *order: Any) -> list[dict[str, Any]]:
    query = sa.select(table).where(table.c.certification_id == cid).order_by(*order)
    return [dict(r) for r in conn.execute(query).mappings()]


def certification_record(conn: Connection, body_id: str, cid: str) -> dict[str, Any] | None:
    """Certification ``cid`` of ``body_id`` with its client, certificate, audits, tests (from
    their events), findings, programme, application, latest contract review, complaints and
    appeals, and timeline (the cases' events included); None when ``body_id`` has no such
    certification.

    Audits carry their sites and check-ins from the ``audit-planned`` and ``checked-in/out``
    events; findings their evidence, auditor and the client's answer from theirs.
    """
    cn, cl = t.certifications, t.clients
    row = (
        conn.execute(sa.select(cn).where(cn.c.id == cid, cn.c.body_id == body_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    client = conn.execute(sa.select(cl).where(cl.c.id == row["client_id"])).mappings().first()
    cases = _rows(conn, t.cases, cid, t.cases.c.id)
    aggregates = [f"certification:{cid}", f"client:{row['client_id']}"]
    events = [
        e
        for e in event_rows(conn, aggregates + [f"case:{c['id']}" for c in cases])
        if _for_this(e, cid, body_id)
    ]
    mine = [e for e in events if e["aggregate"] == f"certification:{cid}"]
    certificate = next(iter(_rows(conn, t.certificates, cid, t.certificates.c.number)), None)
    if certificate is not None:
        certificate["sites"] = json.loads(certificate["sites"])
    return {
        **row,
        "sectors": json.loads(row["sectors"]),
        "client": {**client, "sites": json.loads(client["sites"])} if client else None,
        "certificate": certificate,
        "audits": _audits(conn, cid, mine),
        "tests": [e["data"] for e in mine if e["type"] == "certification.test-recorded"],
        "findings": _findings(conn, cid, mine),
        "programme": _rows(conn, t.programme, cid, t.programme.c.due_by),
        "application": _latest(mine, ("certification.applied", "certification.transfer-accepted")),
        "contract": _latest(mine, ("certification.contract-reviewed",)),
        "awaiting_decision": _awaiting_decision(mine),
        "cases": cases,
        "events": events,
    }


def _for_this(event: dict[str, Any], cid: str, body_id: str) -> bool:
    """Whether the body's staff may see ``event`` on this certification's timeline: all of the
    certification's own, and of its organisation's only its registration, the documents given
    for this certification and the consents given to this body (ISO/IEC 17021-1:2015 8.4:
    what the organisation gave another body, or keeps for itself, stays out of sight)."""
    if event["aggregate"].startswith(("certification:", "case:")):
        return True  # a case is read with its certification (ISO/IEC 17021-1:2015 9.7, 9.8)
    data, kind = event["data"], event["type"]
    if kind == "client.registered":
        return True
    if kind == "client.document-uploaded":
        return data.get("certification_id") == cid
    if kind in ("client.consent-given", "client.consent-withdrawn"):
        return data.get("body_id") == body_id
    return False


def _latest(events: list[dict[str, Any]], types: tuple[str, ...]) -> dict[str, Any] | None:
    found = [e["data"] for e in events if e["type"] in types]
    return found[-1] if found else None


def _awaiting_decision(events: list[dict[str, Any]]) -> bool:
    """Whether the latest technical review has had no decision after it."""
    steps = [e["type"] for e in events if e["type"].endswith(("technical-reviewed", ".decided"))]
    return bool(steps) and steps[-1] == "certification.technical-reviewed"


def _audits(conn: Connection, cid: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    planned = {e["data"]["audit_id"]: e["data"] for e in events if e["type"].endswith("planned")}
    presence: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if e["type"] in ("certification.checked-in", "certification.checked-out"):
            presence.setdefault(e["data"]["audit_id"], []).append(
                {**e["data"], "at": e["at"], "out": e["type"].endswith("out")}
            )
    audits = _rows(conn, t.audits, cid, t.audits.c.start, t.audits.c.audit_id)
    return [
        {
            **a,
            "team": json.loads(a["team"]),
            "sites": planned.get(a["audit_id"], {}).get("sites", []),
            "presence": presence.get(a["audit_id"], []),
        }
        for a in audits
    ]


def _findings(conn: Connection, cid: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raised = {e["data"]["finding_id"]: e["data"] for e in events if e["type"].endswith("raised")}
    answers = {
        e["data"]["finding_id"]: e["data"]
        for e in events
        if e["type"] == "certification.corrective-action-submitted"
    }
    findings = _rows(conn, t.findings, cid, t.findings.c.audit_id, t.findings.c.finding_id)
    return [
        {
            **f,
            "evidence": raised.get(f["finding_id"], {}).get("evidence", ""),
            "auditor": raised.get(f["finding_id"], {}).get("auditor", ""),
            "answer": answers.get(f["finding_id"]),
        }
        for f in findings
    ]
