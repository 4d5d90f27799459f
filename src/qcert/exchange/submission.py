"""A submission: a body's records, in bulk, signed with one of the body's keys.

The envelope names the body, when it was sent and up to 1,000 records; ``signature`` is an
Ed25519 signature (RFC 8032) over the RFC 8785 canonical JSON of the envelope without its
``signature`` member, by the key ``key_id`` the body registered at the hub. Records are checked
one by one (:func:`check_records`), so one bad record is refused with its field and rule and the
others go in.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from ..ledger.canonical import canonical_json
from ..lifecycle.inputs import refusal_of
from .records import KINDS, RECORD_LIMIT, VERSION, Record

__all__ = [
    "STANDARD",
    "Checked",
    "Envelope",
    "Rejected",
    "check_records",
    "document",
    "envelope",
    "sign",
    "signed_bytes",
    "verify",
]

STANDARD = "urn:qcert:exchange:report"

KeyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class Signature(BaseModel):
    """Who signed (the key's id at the hub) and the Ed25519 signature, base64url."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key_id: KeyId
    value: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{86}$")]


class Envelope(BaseModel):
    """A submission as sent: the standard and its version, the body, when, the records (raw: each
    is checked on its own) and the signature."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    standard: Literal["urn:qcert:exchange:report"]
    version: Literal["1.0.0"]
    body_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    # Kept as sent (ISO 8601 with its zone): the signature covers the text, not a parsed value.
    sent_at: Annotated[
        str,
        StringConstraints(
            pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"
        ),
    ]
    records: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=RECORD_LIMIT)]
    signature: Signature | None = None


def envelope(body_id: str, sent_at: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """An unsigned envelope of ``records`` from ``body_id``, sent at ``sent_at`` (ISO 8601)."""
    return {
        "standard": STANDARD,
        "version": VERSION,
        "body_id": body_id,
        "sent_at": sent_at,
        "records": records,
    }


def document(envelope: Envelope) -> dict[str, Any]:
    """The envelope's JSON document as sent (what its signature covers, with the signature)."""
    return envelope.model_dump(mode="json", exclude_none=True)


def signed_bytes(envelope: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the envelope's canonical JSON without ``signature``."""
    return canonical_json({k: v for k, v in envelope.items() if k != "signature"})


def sign(envelope: dict[str, Any], key: Ed25519PrivateKey, key_id: str) -> dict[str, Any]:
    """``envelope`` with its ``signature`` by ``key`` (registered at the hub as ``key_id``)."""
    value = base64.urlsafe_b64encode(key.sign(signed_bytes(envelope))).rstrip(b"=").decode()
    return {**envelope, "signature": {"key_id": key_id, "value": value}}


def verify(envelope: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """Whether the envelope's signature checks with ``key``."""
    signature = envelope.get("signature") or {}
    try:
        raw = base64.urlsafe_b64decode(str(signature.get("value", "")) + "==")
        key.verify(raw, signed_bytes(envelope))
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Rejected:
    """A record refused: its place in the submission, its id when it has one, the field and rule,
    in both languages."""

    position: int
    record_id: str | None
    field: str
    rule: str
    en: str
    zh: str

    @classmethod
    def invalid(
        cls, position: int, record_id: str | None, errors: list[Any], rule: str
    ) -> Rejected:
        """A row the model refused: the first error's field and problem (pydantic's shape)."""
        problem = refusal_of(errors)
        field, _, en = problem.en.partition(": ")
        zh = problem.zh.partition("：")[2] or problem.zh
        return cls(position, record_id, field, rule, en, zh)

    def document(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "id": self.record_id,
            "field": self.field,
            "rule": self.rule,
            "message": {"en": self.en, "zh-CN": self.zh},
        }


@dataclass(frozen=True)
class Checked:
    """The records that passed the standard's checks (with their positions), and the others."""

    good: list[tuple[int, Any]]
    rejected: list[Rejected]


@cache
def _record() -> TypeAdapter[Any]:
    return TypeAdapter(Record)


def check_records(records: list[dict[str, Any]], now: datetime) -> Checked:
    """Check each raw record against the standard; a record dated after ``now`` is refused too
    (a fact is reported once it happened). Ids repeated within one submission are refused after
    their first."""
    good: list[tuple[int, Any]] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for position, raw in enumerate(records):
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        try:
            record = _record().validate_python(raw)
        except ValidationError as err:
            # The union names the record's kind first in each location: not a field.
            found = [
                {**e, "loc": e["loc"][1:] if e["loc"][:1] and e["loc"][0] in KINDS else e["loc"]}
                for e in err.errors()
            ]
            rejected.append(Rejected.invalid(position, rid, found, "exchange.schema"))
            continue
        if record.occurred_at > now:
            rejected.append(
                Rejected(
                    position,
                    record.id,
                    "occurred_at",
                    "exchange.future",
                    f"{record.occurred_at.isoformat()} is after the hub's clock; report facts "
                    "once they happened",
                    f"{record.occurred_at.isoformat()} 晚于监管平台时钟；事实发生后方可报送",
                )
            )
        elif record.id in seen:
            rejected.append(
                Rejected(
                    position,
                    record.id,
                    "id",
                    "exchange.repeated",
                    "the same id comes twice in this submission",
                    "同一报送中该记录标识重复出现",
                )
            )
        else:
            seen.add(record.id)
            good.append((position, record))
    return Checked(good, rejected)
