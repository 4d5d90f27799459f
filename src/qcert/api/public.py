"""Public certificate lookup and credential verification, with a plain verdict in zh-CN and en.

Answers show what IAF CertSearch shows; for clients marked confidential the
credit code, sites and status history stay private.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Query, Request

from ..credentials.certificate import verify_credential
from ..credentials.dataintegrity import ProofError
from ..credentials.did import did_document, did_web
from ..store import tables as t

__all__ = ["VERDICTS", "router"]

router = APIRouter(prefix="/public", tags=["public"])

VERDICTS = {
    "valid": ("genuine and valid", "真实有效"),
    "suspended": ("suspended", "已暂停"),
    "withdrawn": ("withdrawn", "已撤销"),
    "expired": ("expired", "已过期"),
    "not-issued": ("not issued by the body it names", "并非由所称认证机构颁发"),
    "tampered": ("tampered", "已被篡改"),
    "unknown": ("no such certificate", "查无此证"),
}


def _verdict(code: str) -> dict[str, str]:
    en, zh = VERDICTS[code]
    return {"code": code, "en": en, "zh-CN": zh}


def _status_verdict(row: sa.RowMapping, today: date) -> str:
    if row["status"] == "active" and today > date.fromisoformat(row["expiry_date"]):
        return "expired"
    return "valid" if row["status"] == "active" else row["status"]


def _describe(conn: sa.Connection, row: sa.RowMapping, today: date) -> dict[str, Any]:
    client = (
        conn.execute(sa.select(t.clients).where(t.clients.c.id == row["client_id"]))
        .mappings()
        .one()
    )
    body = conn.execute(sa.select(t.bodies).where(t.bodies.c.id == row["body_id"])).mappings().one()
    answer: dict[str, Any] = {
        "number": row["number"],
        "verdict": _verdict(_status_verdict(row, today)),
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
        },
    }
    if row["transferred_to"]:
        answer["transferred_to"] = row["transferred_to"]
    if not client["confidential"]:
        history = conn.execute(
            sa.select(t.certificate_history.c.event, t.certificate_history.c.on)
            .where(t.certificate_history.c.certification_id == row["certification_id"])
            .order_by(t.certificate_history.c.ledger_index)
        )
        answer |= {
            "uscc": client["uscc"],
            "sites": json.loads(row["sites"]),
            "history": [{"event": e, "on": on} for e, on in history],
        }
    return answer


@router.get("/certificates/{number}")
def certificate(request: Request, number: str) -> dict[str, Any]:
    """A certificate by number, with a plain verdict (no sign-in needed)."""
    today = datetime.now(UTC).date()
    with request.app.state.engine.connect() as conn:
        row = (
            conn.execute(sa.select(t.certificates).where(t.certificates.c.number == number))
            .mappings()
            .first()
        )
        if row is None:
            return {"number": number, "verdict": _verdict("unknown")}
        return _describe(conn, row, today)


@router.get("/certificates")
def search(
    request: Request, q: Annotated[str, Query(min_length=2, max_length=100)]
) -> dict[str, Any]:
    """Certificates by number, credit code or name (confidential clients: by number only)."""
    today = datetime.now(UTC).date()
    c, cl = t.certificates, t.clients
    pattern = f"%{q}%"
    with request.app.state.engine.connect() as conn:
        rows = (
            conn.execute(
                sa.select(c)
                .join(cl, cl.c.id == c.c.client_id)
                .where(
                    sa.or_(
                        c.c.number == q,
                        sa.and_(
                            cl.c.confidential.is_(False),
                            sa.or_(
                                cl.c.uscc == q,
                                cl.c.name_zh.like(pattern),
                                cl.c.name_en.like(pattern),
                            ),
                        ),
                    )
                )
                .order_by(c.c.number)
                .limit(20)
            )
            .mappings()
            .all()
        )
        return {"query": q, "items": [_describe(conn, r, today) for r in rows]}


_DID = re.compile(r"did:web:(?P<host>[^:]+):bodies:(?P<body>[A-Za-z0-9._-]+)")


@router.post("/verify")
def verify(request: Request, credential: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Check an uploaded credential: signature, issuer, and the certificate's status now."""
    now = datetime.now(UTC)
    issuer = str(credential.get("issuer", ""))
    m = _DID.fullmatch(issuer)
    with request.app.state.engine.connect() as conn:
        keys = (
            conn.execute(sa.select(t.body_keys).where(t.body_keys.c.body_id == m["body"]))
            .mappings()
            .all()
            if m
            else []
        )
        if not keys:
            return {
                "verdict": _verdict("not-issued"),
                "reason": f"{issuer!r} is not a body on this platform",
            }
        document = did_document(did_web(m["host"], m["body"]), [dict(k) for k in keys])
        try:
            check = verify_credential(credential, document, now)
        except ProofError as err:
            code = "tampered" if "signature does not match" in str(err) else "not-issued"
            return {"verdict": _verdict(code), "reason": str(err)}
        except (KeyError, TypeError, ValueError) as err:
            return {"verdict": _verdict("tampered"), "reason": f"malformed credential: {err}"}
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
                "verdict": _verdict("not-issued"),
                "reason": f"{m['body']} has no certificate {check.number}",
            }
        return {"reason": "signature, issuer and key check out", **_describe(conn, row, now.date())}
