"""The hub's intake: which records of a checked submission go in, as what revision, and which
are refused, with the field and the rule in both languages.

Pure: the handler gives what the hub already holds of the body (:class:`Known`) and the roots of
the body's log the hub can vouch for (``roots``); nothing here reads a database.

Per record, after the standard's own checks (:func:`qcert.exchange.submission.check_records`):

- ``exchange.dates``: an audit ending before it starts, a certificate expiring before its issue;
- ``exchange.kind``: an id the body used before for another kind of record;
- ``exchange.proof``: a ``ledger`` part whose inclusion proof does not lead to a root of the
  body's log that the hub witnessed (RFC 9162 2.1.3.2);
- ``exchange.entry``: a log entry that is not an event of the record's kind on the record's
  certification (a proof of something else);
- the same id with the same content as before changes nothing (idempotent); with other
  content it is the next revision, which the hub keeps beside the earlier ones (a record
  edited after the fact is itself a risk signal).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..exchange.submission import Rejected
from ..ledger.canonical import canonical_json
from ..ledger.errors import LedgerError
from ..ledger.hashing import SHA256
from ..ledger.proof import verify_inclusion

__all__ = ["ENTRY_TYPES", "Intake", "Known", "take_in"]

# Which events of a body's log each kind of record may be drawn from.
ENTRY_TYPES = {
    "application": {"certification.applied", "certification.transfer-accepted"},
    "audit-plan": {"certification.audit-planned"},
    "check-in": {"certification.checked-in", "certification.checked-out"},
    "audit-result": {"certification.audit-completed"},
    "decision": {"certification.decided"},
    "certificate": {"certificate.issued"},
    "status-change": {
        "certificate.suspended",
        "certificate.restored",
        "certificate.withdrawn",
        "certificate.expired",
        "certificate.scope-changed",
        "certificate.transferred",
    },
}


@dataclass
class Known:
    """What the hub holds of a body already: each record id's kind, latest revision and content
    hash; and the links that place a record in a certification (a certificate number's) and a
    certification in a division (its organisation's region)."""

    records: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)  # certificate no -> certification id
    regions: dict[str, str] = field(default_factory=dict)  # certification id -> region


@dataclass(frozen=True)
class Intake:
    """The rows to record (one per record accepted), the refusals, and how many came again
    unchanged."""

    accepted: list[dict[str, Any]]
    rejected: list[Rejected]
    unchanged: int


def content_hash(record: Any) -> str:
    """SHA-256 (hex) of the record's canonical JSON without its ``ledger`` part: sending the
    same fact with a newer proof is not a revision."""
    return hashlib.sha256(canonical_json(_content(record))).hexdigest()


def _content(record: Any) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude={"ledger"})


def _dates(record: Any) -> tuple[str, str, str] | None:
    if record.kind == "audit-plan" and record.end_on < record.start_on:
        return "end_on", "is before start_on", "早于开始日期"
    if record.kind == "certificate" and record.expires_on <= record.issued_on:
        return "expires_on", "is not after issued_on", "不晚于发证日期"
    if record.kind == "audit-result" and record.onsite_days > record.actual_days:
        return "onsite_days", "exceeds actual_days", "超过实际审核人日"
    return None


def _entry_problem(
    record: Any, roots: Callable[[int], bytes | None]
) -> tuple[str, str, str, str] | None:
    """(field, rule, en, zh) when the record's ledger part does not prove it."""
    proof = record.ledger
    if proof is None:
        return None
    try:
        entry = base64.b64decode(proof.entry, validate=False)
        path = [base64.b64decode(h) for h in proof.proof]
    except (binascii.Error, ValueError):
        return "ledger.entry", "exchange.proof", "is not base64", "不是 base64 编码"
    root = roots(proof.size)
    if root is None:
        return (
            "ledger.size",
            "exchange.proof",
            f"the hub has witnessed no checkpoint of size {proof.size} of this body's log; "
            "send the checkpoint to the hub's witness first",
            f"监管平台未见证该机构日志大小为 {proof.size} 的检查点；请先向监管平台提交该检查点",
        )
    try:
        verify_inclusion(SHA256, proof.index, proof.size, SHA256.leaf_hash(entry), path, root)
    except LedgerError as err:
        return "ledger.proof", "exchange.proof", f"does not verify: {err}", "包含证明验证失败"
    try:
        doc = json.loads(entry)
    except (UnicodeDecodeError, ValueError):
        doc = None
    kinds = ENTRY_TYPES[record.kind]
    cid = getattr(record, "certification_id", None)
    if (
        not isinstance(doc, dict)
        or doc.get("type") not in kinds
        or (cid is not None and doc.get("aggregate") != f"certification:{cid}")
    ):
        return (
            "ledger.entry",
            "exchange.entry",
            f"entry {proof.index} is not a {record.kind} event of this record's certification",
            f"第 {proof.index} 条记录不是本记录所属认证的{record.kind}事件",
        )
    return None


def _certification(record: Any, known: Known, batch: Known) -> str | None:
    cid = getattr(record, "certification_id", None)
    if cid:
        return cid
    if record.kind == "status-change":
        no = record.certificate_no
        return batch.numbers.get(no) or known.numbers.get(no)
    return None


def take_in(
    checked: list[tuple[int, Any]],
    known: Known,
    roots: Callable[[int], bytes | None],
    received: datetime,
) -> Intake:
    """Decide record by record what a checked submission adds (see the module's rules)."""
    accepted: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    unchanged = 0
    batch = Known()
    for position, record in checked:
        problem = _dates(record)
        if problem is not None:
            where, en, zh = problem
            rejected.append(Rejected(position, record.id, where, "exchange.dates", en, zh))
            continue
        before = known.records.get(record.id)
        if before is not None and before[0] != record.kind:
            rejected.append(
                Rejected(
                    position,
                    record.id,
                    "kind",
                    "exchange.kind",
                    f"this id was reported before as {before[0]}, not {record.kind}",
                    f"该标识此前报送为 {before[0]}，不是 {record.kind}",
                )
            )
            continue
        bad = _entry_problem(record, roots)
        if bad is not None:
            rejected.append(Rejected(position, record.id, *bad))
            continue
        digest = content_hash(record)
        if before is not None and before[2] == digest:
            unchanged += 1
            continue
        if record.kind == "certificate":
            batch.numbers[record.certificate_no] = record.certification_id
        elif record.kind == "application":
            batch.regions[record.certification_id] = record.organisation.region
        cid = _certification(record, known, batch)
        region = (batch.regions.get(cid) or known.regions.get(cid)) if cid else None
        lag = (received - record.occurred_at).total_seconds()
        accepted.append(
            {
                "id": record.id,
                "kind": record.kind,
                "revision": before[1] + 1 if before else 1,
                "hash": digest,
                "certification_id": cid,
                "region": region,
                "lag_s": max(0, int(lag)),
                "ledger_index": record.ledger.index if record.ledger else None,
                "record": record.model_dump(mode="json", exclude_none=True),
            }
        )
        known.records[record.id] = (record.kind, before[1] + 1 if before else 1, digest)
    return Intake(accepted, rejected, unchanged)
