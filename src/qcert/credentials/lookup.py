"""Public certificate lookup and credential verification, with a plain verdict in zh-CN and en.

Answers show what IAF CertSearch shows; for clients marked confidential the
credit code, sites and status history stay private. These are reads over the
projections, shared by the JSON API and the public pages.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..locale import messages as from_catalogs
from ..store import search as search_views
from ..store import tables as t
from ..store import views
from .certificate import verify_credential
from .dataintegrity import ProofError
from .did import did_document, did_web

__all__ = [
    "MAX_PAGE",
    "MAX_SIZE",
    "PAGE_SIZE",
    "VERDICTS",
    "certificate",
    "credential_index",
    "json_depth",
    "scanned",
    "search",
    "verdict",
    "verify_upload",
]

# verdict code -> (zh-CN, en)
VERDICTS = from_catalogs(__name__, "VERDICTS")

_DID = re.compile(r"did:web:(?P<host>[^:]+):bodies:(?P<body>[A-Za-z0-9._-]+)")


def verdict(code: str) -> dict[str, str]:
    """The verdict ``code`` with its English and Chinese wording."""
    zh, en = VERDICTS[code]
    return {"code": code, "en": en, "zh-CN": zh}


def _status_verdict(row: sa.RowMapping, today: date) -> str:
    # The status column says "active" until the expiry job runs; the date decides.
    if row["status"] == "active" and today > date.fromisoformat(row["expiry_date"]):
        return "expired"
    return "valid" if row["status"] == "active" else row["status"]


def _sites(row: sa.RowMapping, client: sa.RowMapping) -> list[dict[str, Any]]:
    # The certificate names its sites by id; the public also needs their names and addresses.
    known = {site["id"]: site for site in json.loads(client["sites"])}
    return [
        {
            **site,
            "name": known.get(site["site"], {}).get("name", ""),
            "address": known.get(site["site"], {}).get("address", ""),
        }
        for site in json.loads(row["sites"])
    ]


def _describe(conn: sa.Connection, row: sa.RowMapping, today: date) -> dict[str, Any]:
    client = (
        conn.execute(sa.select(t.clients).where(t.clients.c.id == row["client_id"]))
        .mappings()
        .one()
    )
    # The accreditation lives on the body's registration event; the read view joins it in.
    body = views.body_row(conn, row["body_id"])
    assert body is not None, "a certificate always names a registered body"
    answer: dict[str, Any] = {
        "number": row["number"],
        "verdict": verdict(_status_verdict(row, today)),
        "status": row["status"],
        "certsearch_status": row["certsearch_status"],
        "organisation": {"zh-CN": client["name_zh"], "en": client["name_en"]},
        "scheme": row["scheme_id"],
        "scope": row["scope"],
        "issue_date": row["issue_date"],
        "original_issue_date": row["original_issue_date"],
        "expiry_date": row["expiry_date"],
        "body": {
            "id": body["id"],
            "approval_no": body["approval_no"],
            "name": {"zh-CN": body["name_zh"], "en": body["name_en"]},
            "accreditation": body["accreditation"],
        },
    }
    if row["transferred_to"]:
        answer["transferred_to"] = row["transferred_to"]
    if not client["confidential"]:
        h = t.certificate_history
        history = conn.execute(
            sa.select(h.c.event, h.c.on, t.events.c.at)
            .join(t.events, t.events.c.ledger_index == h.c.ledger_index)
            .where(h.c.certification_id == row["certification_id"])
            .order_by(h.c.ledger_index)
        )
        answer |= {
            "uscc": client["uscc"],
            "sites": _sites(row, client),
            "history": [_entry(e, on, at) for e, on, at in history],
        }
    return answer


# The zone business dates are given in (the bodies' own, as their events record).
_BEIJING = ZoneInfo("Asia/Shanghai")


def _entry(event: str, on: str, at: str) -> dict[str, Any]:
    """One status-history entry: what, its effective date, when it was recorded, and whether
    it was recorded after the day it took effect (a late record adds, never rewrites)."""
    recorded = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(_BEIJING)
    return {
        "event": event,
        "on": on,
        "recorded_at": at,
        "recorded_late": recorded.date().isoformat() > on,
    }


def certificate(conn: sa.Connection, number: str, today: date) -> dict[str, Any]:
    """The public answer for certificate ``number`` as of ``today`` (UTC date)."""
    row = (
        conn.execute(sa.select(t.certificates).where(t.certificates.c.number == number))
        .mappings()
        .first()
    )
    if row is None:
        return {"number": number, "verdict": verdict("unknown")}
    return _describe(conn, row, today)


PAGE_SIZE = 20  # answers a page unless asked for another size
MAX_SIZE = 100  # answers a page at most
MAX_PAGE = 10_000  # pages at most: past this a search is too wide to page through


def search(
    conn: sa.Connection, q: str, today: date, page: int = 1, size: int = PAGE_SIZE
) -> dict[str, Any]:
    """Certificates by number, credit code or part of the organisation's name (confidential
    clients: by number only), one page of ``size`` by number, with how many there are in all.

    ``q``'s ``%`` and ``_`` are matched as themselves, never as wildcards.
    """
    rows, total = search_views.public_certificates(conn, q, (page - 1) * size, size)
    return {
        "query": q,
        "page": page,
        "size": size,
        "total": total,
        "has_more": page * size < total,
        "items": [_describe(conn, r, today) for r in rows],
    }


def credential_index(conn: sa.Connection, number: str, sha256: str) -> int | None:
    """The ledger index of the credential the platform issued for ``number`` whose canonical
    bytes hash to ``sha256`` (64 hex digits), or None if it issued no such credential."""
    return conn.execute(
        sa.select(t.credentials.c.ledger_index).where(
            t.credentials.c.number == number, t.credentials.c.sha256 == sha256.lower()
        )
    ).scalar()


def scanned(conn: sa.Connection, number: str, sha256: str, today: date) -> dict[str, Any]:
    """The answer for a scanned QR code: certificate ``number`` as of ``today``, checked against
    the SHA-256 the code carries; a hash the platform never issued for it makes it ``tampered``."""
    answer = certificate(conn, number, today)
    if answer["verdict"]["code"] == "unknown":
        return answer
    index = credential_index(conn, number, sha256)
    answer["credential"] = {"sha256": sha256.lower(), "ledger_index": index}
    if index is None:
        answer["verdict"] = verdict("tampered")
    return answer


def json_depth(value: Any) -> int:
    """How deeply ``value`` (parsed JSON) nests, counted without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def verify_upload(
    conn: sa.Connection, credential: dict[str, Any], now: datetime, host: str | None
) -> dict[str, Any]:
    """Check an uploaded credential: signature, issuer, and the certificate's status at ``now``.

    Its issuer must be a body of this platform as the platform names them: ``did:web`` on
    ``host``, the configured public host. A credential naming any other host was not issued
    here, whatever else it says.
    """
    issuer = str(credential.get("issuer", ""))
    m = _DID.fullmatch(issuer)
    if m is None or host is None or unquote(m["host"]) != host:
        return {
            "verdict": verdict("not-issued"),
            "reason": f"{issuer!r} is not a body on this platform ({host or 'no public host'})",
        }
    keys = (
        conn.execute(sa.select(t.body_keys).where(t.body_keys.c.body_id == m["body"]))
        .mappings()
        .all()
        if m
        else []
    )
    if not m or not keys:
        return {
            "verdict": verdict("not-issued"),
            "reason": f"{issuer!r} is not a body on this platform",
        }
    # The DID names the host percent-encoded (did:web 3.2): decode it before encoding again.
    document = did_document(did_web(host, m["body"]), [dict(k) for k in keys])
    try:
        check = verify_credential(credential, document, now)
    except ProofError as err:
        code = "tampered" if "signature does not match" in str(err) else "not-issued"
        return {"verdict": verdict(code), "reason": str(err)}
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return {"verdict": verdict("tampered"), "reason": f"malformed credential: {err}"}
    row = (
        conn.execute(
            sa.select(t.certificates).where(
                t.certificates.c.number == check.number, t.certificates.c.body_id == m["body"]
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return {
            "verdict": verdict("not-issued"),
            "reason": f"{m['body']} has no certificate {check.number}",
        }
    return {"reason": "signature, issuer and key check out", **_describe(conn, row, now.date())}
