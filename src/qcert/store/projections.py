"""Projections: table rows computed from aggregates and events, and their replay check.

Rows are a pure function of an aggregate's state (plus, for the status
history, of its events and their ledger indices), so the live tables can be
rebuilt from the ledger and compared row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rfc8785
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..credentials.certsearch import CERTSEARCH_STATUS
from ..credentials.status_lists import PublishedStatusList
from ..lifecycle import events as ev
from ..lifecycle.accounts import Account
from ..lifecycle.aggregate import Aggregate
from ..lifecycle.cases import Case
from ..lifecycle.certification import Certification
from ..lifecycle.lines import ProcessLine
from ..lifecycle.parties import Auditor, Body, Client
from . import tables as t

__all__ = ["document_rows", "history_rows", "rows_for", "write"]

Rows = dict[sa.Table, list[dict[str, Any]]]


def _json(value: Any) -> str:
    """RFC 8785 canonical JSON, as on the ledger: a replay of the ledger's events writes the
    same text (a latitude entered as 39.0 is 39 on both sides)."""
    return rfc8785.dumps(value).decode()


def _stage(c: Certification) -> str:
    if c.certificate is not None:
        return c.certificate.status.value
    if c.reviewer:
        return "reviewed"
    if c.audits:
        return "auditing"
    return "contract-reviewed" if c.contract else "applied"


def rows_for(agg: Aggregate) -> Rows:
    """The projection rows of one aggregate, by table."""
    if isinstance(agg, Body):
        scopes = [
            {
                "scheme": s.scheme_id,
                "sectors": sorted(s.sectors),
                "from": s.valid_from.isoformat(),
                "to": s.valid_to.isoformat() if s.valid_to else None,
            }
            for s in agg.scopes
        ]
        return {
            t.body_keys: [
                {"body_id": agg.id, "key_id": kid, **key} for kid, key in agg.keys.items()
            ],
            t.bodies: [
                {
                    "id": agg.id,
                    "approval_no": agg.approval_no,
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "scopes": _json(scopes),
                }
            ],
        }
    if isinstance(agg, Auditor):
        quals = {k: sorted(v) for k, v in agg.qualifications.items()}
        return {
            t.auditors: [{"id": agg.id, "body_id": agg.body_id, "qualifications": _json(quals)}]
        }
    if isinstance(agg, Client):
        return {
            t.clients: [
                {
                    "id": agg.id,
                    "uscc": agg.uscc,
                    "personnel": agg.personnel,
                    "sites": _json(list(agg.sites.values())),
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "confidential": agg.confidential,
                }
            ],
            t.consents: [
                {"client_id": agg.id, "body_id": body, **given}
                for body, given in sorted(agg.consents.items())
            ],
            t.invitations: [
                {
                    "id": inv_id,
                    "client_id": agg.id,
                    "role": inv["role"],
                    "expires": inv["expires"],
                    "account_id": inv.get("account_id"),
                }
                for inv_id, inv in sorted(agg.invitations.items())
            ],
        }
    if isinstance(agg, Account):
        return {
            t.accounts: [
                {"id": agg.id, "display_name": agg.display_name, "roles": _json(agg.roles)}
            ],
            t.api_keys: [
                {"key_id": key_id, "account_id": agg.id, "label": agg.labels.get(key_id, "")}
                for key_id in sorted(agg.keys)
            ],
        }
    if isinstance(agg, Case):
        return {
            t.cases: [
                {
                    "id": agg.id,
                    "kind": agg.kind_,
                    "certification_id": agg.certification_id,
                    "body_id": agg.body_id,
                    "handler": agg.handler,
                    "resolved": agg.resolved,
                    "summary": agg.summary,
                    "outcome": agg.outcome,
                    "resolved_on": agg.resolved_on,
                }
            ]
        }
    if isinstance(agg, Certification):
        return _certification_rows(agg)
    if isinstance(agg, ProcessLine):
        return {
            t.line_alarms: [
                {
                    "line_id": agg.id,
                    "reading": a["reading"],
                    "client_id": a["client_id"],
                    "line": a["line"],
                    "onset": a["onset"],
                    "statistic": a["statistic"],
                    "value": a["value"],
                    "limit": a["limit"],
                    "top_variables": _json(a["top_variables"]),
                    "at": a["at"],
                    "cleared": a["cleared"],
                    "cleared_at": a["cleared_at"],
                }
                for a in agg.alarms
            ]
        }
    if isinstance(agg, PublishedStatusList):
        return {
            t.status_lists: [
                {
                    "list_id": agg.id,
                    "version": v.version,
                    "body_id": v.body_id,
                    "purpose": v.purpose,
                    "list_no": v.list_no,
                    "valid_from": v.valid_from,
                    "ledger_index": v.ledger_index,
                    "sha256": v.sha256,
                }
                for v in agg.versions
            ]
        }
    raise TypeError(f"no projection for {type(agg).__name__}")


def _certification_rows(c: Certification) -> Rows:
    out: Rows = {
        t.certifications: [
            {
                "id": c.id,
                "body_id": c.body_id,
                "client_id": c.client_id,
                "scheme_id": c.scheme_id,
                "sectors": _json(c.sectors),
                "stage": _stage(c),
                "cycle": c.cycle,
                "initial_days": c.contract.initial_days if c.contract else None,
                "decided_on": c.decided_on.isoformat() if c.decided_on else None,
                "status_list": c.status_entry[0] if c.status_entry else None,
                "status_index": c.status_entry[1] if c.status_entry else None,
            }
        ],
        t.audits: [
            {
                "certification_id": c.id,
                "audit_id": aid,
                "body_id": c.body_id,
                "kind": a.kind,
                "method": a.method,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "planned_days": a.planned_days,
                "actual_days": a.actual_days,
                "last_day": a.last_day.isoformat() if a.last_day else None,
                "team": _json(a.team),
            }
            for aid, a in c.audits.items()
        ],
        t.findings: [
            {
                "certification_id": c.id,
                "finding_id": fid,
                "body_id": c.body_id,
                "audit_id": f.audit_id,
                "grade": f.grade,
                "clause": f.clause,
                "status": f.status,
            }
            for fid, f in c.findings.items()
        ],
        t.certificates: [],
        t.credentials: [
            {
                "ledger_index": e.ledger_index,
                "certification_id": c.id,
                "body_id": c.body_id,
                "number": e.number,
                "key_id": e.key_id,
                "sha256": e.sha256,
            }
            for e in c.credentials
        ],
        t.programme: [
            {
                "certification_id": c.id,
                "item": row["item"],
                "body_id": c.body_id,
                "due_by": row["due_by"].isoformat(),
                "done_on": row["done_on"].isoformat() if row["done_on"] else None,
            }
            for row in c.programme()
        ],
    }
    cert = c.certificate
    if cert is not None:
        out[t.certificates].append(
            {
                "number": cert.number,
                "certification_id": c.id,
                "body_id": c.body_id,
                "client_id": c.client_id,
                "scheme_id": c.scheme_id,
                "status": cert.status.value,
                "certsearch_status": CERTSEARCH_STATUS[cert.status],
                "scope": cert.scope,
                "sites": _json([{"site": s, "scope": cert.scope_of(s)} for s in cert.sites]),
                "issue_date": cert.issue_date.isoformat(),
                "original_issue_date": cert.original_issue_date.isoformat(),
                "expiry_date": cert.expiry_date.isoformat(),
                "deadline": cert.deadline.isoformat() if cert.deadline else None,
                "transferred_to": cert.transferred_to,
            }
        )
    return out


_STATUS_AFTER = {
    ev.CertificateIssued: "active",
    ev.CertificateSuspended: "suspended",
    ev.CertificateRestored: "active",
    ev.CertificateWithdrawn: "withdrawn",
    ev.CertificateExpired: "expired",
    ev.CertificateScopeChanged: "active",
    ev.CertificateTransferred: "withdrawn",
}


def history_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Certificate status-history rows from events and their ledger indices."""
    history = []
    for index, env in recorded:
        e = env.event
        if type(e) in _STATUS_AFTER:
            on = e.issue_date if isinstance(e, ev.CertificateIssued) else e.on  # type: ignore[attr-defined]
            history.append(
                {
                    "ledger_index": index,
                    "certification_id": env.aggregate.split(":", 1)[1],
                    "event": e.name,
                    "status": _STATUS_AFTER[type(e)],
                    "on": on,
                }
            )
    return history


def document_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Document rows (one per upload, with its ledger index) from events."""
    return [
        {
            "ledger_index": index,
            "client_id": env.aggregate.split(":", 1)[1],
            **env.event.data(),
            "certification_id": env.event.certification_id,
            "at": env.at,
        }
        for index, env in recorded
        if isinstance(env.event, ev.DocumentUploaded)
    ]


_KEYS = {
    t.bodies: ("id",),
    t.auditors: ("id",),
    t.clients: ("id",),
    t.certifications: ("id",),
    t.audits: ("certification_id",),
    t.findings: ("certification_id",),
    t.certificates: ("certification_id",),
    t.accounts: ("id",),
    t.api_keys: ("account_id",),
    t.consents: ("client_id",),
    t.invitations: ("client_id",),
    t.cases: ("id",),
    t.programme: ("certification_id",),
    t.body_keys: ("body_id",),
    t.credentials: ("certification_id",),
    t.status_lists: ("list_id",),
    t.line_alarms: ("line_id",),
}


def write(
    conn: Connection, aggregates: Iterable[Aggregate], recorded: Iterable[tuple[int, ev.Envelope]]
) -> None:
    """Bring the projections up to date with ``aggregates`` and the events just recorded."""
    recorded = list(recorded)
    for agg in aggregates:
        for table, rows in rows_for(agg).items():
            key = _KEYS[table][0]
            value = agg.id
            conn.execute(table.delete().where(table.c[key] == value))
            if rows:
                conn.execute(table.insert(), rows)
    history = history_rows(recorded)
    if history:
        conn.execute(t.certificate_history.insert(), history)
    documents = document_rows(recorded)
    if documents:
        conn.execute(t.documents.insert(), documents)
