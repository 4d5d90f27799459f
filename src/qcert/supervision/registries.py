"""The hub's other sources: registers kept outside the bodies' reports, taken in as data.

A portrait is "everything known from all sources" (国市监认证发〔2025〕72号 (十二)): besides what
bodies report, the hub takes in the approvals of bodies' scopes (CNCA), the auditors' register and
their employers (CCAA), business registration status (the national enterprise credit system),
national sampling inspection results (SAMR), complaints and penalties, and the certificate
numbers looked up on the public query service. Each row is checked by its source's model and
keyed, so importing it again replaces it (the earlier import stays on the log).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from ..exchange.submission import Rejected
from ..lifecycle.inputs import Day, Instant, Name, Note

__all__ = ["SOURCES", "check_rows", "key_of"]

Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/()-]{0,127}$")]
Code = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BodyScope(_Row):
    """A body's approval for a scheme and IAF sector, from a day (to a day)."""

    body_id: Ref
    scheme: Ref
    sector: Annotated[str, StringConstraints(pattern=r"^(0[1-9]|[12][0-9]|3[0-9])$")]
    granted_on: Day
    revoked_on: Day | None = None


class Auditor(_Row):
    """An auditor in the national register, and whether the registration is valid now."""

    registration_id: Ref
    name: Name
    registered: bool


class Employment(_Row):
    """An auditor's employment by a body, from a day (to a day)."""

    registration_id: Ref
    body_id: Ref
    since: Day
    until: Day | None = None


class Organisation(_Row):
    """An organisation's business registration: its division and, once cancelled, the day."""

    org_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
    name: Name
    region: Code
    size: Literal["micro", "small", "medium", "large"] | None = None
    deregistered_on: Day | None = None


class Sampling(_Row):
    """A national sampling inspection's result for an organisation's product."""

    org_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
    sampled_on: Day
    failed: bool
    product: Note = ""


class Case(_Row):
    """A complaint about, or a penalty on, a body or an organisation."""

    entity_kind: Literal["body", "organisation"]
    entity_id: Ref
    on: Day
    summary: Note


class Query(_Row):
    """A certificate number looked up on the public query service, and when."""

    cert_no: Ref
    queried_at: Instant


SOURCES: dict[str, type[_Row]] = {
    "body-scopes": BodyScope,
    "auditors": Auditor,
    "employments": Employment,
    "organisations": Organisation,
    "sampling": Sampling,
    "complaints": Case,
    "penalties": Case,
    "public-queries": Query,
}
_KEYS = {
    "body-scopes": ("body_id", "scheme", "sector", "granted_on"),
    "auditors": ("registration_id",),
    "employments": ("registration_id", "body_id", "since"),
    "organisations": ("org_id",),
    "sampling": ("org_id", "sampled_on", "product"),
    "complaints": ("entity_kind", "entity_id", "on", "summary"),
    "penalties": ("entity_kind", "entity_id", "on", "summary"),
    "public-queries": ("cert_no", "queried_at"),
}


def key_of(source: str, row: dict[str, Any]) -> str:
    """The row's key within its source: importing the same key again replaces the row."""
    return "|".join(str(row.get(k) or "") for k in _KEYS[source])[:500]


@cache
def _adapter(source: str) -> TypeAdapter[Any]:
    return TypeAdapter(SOURCES[source])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def check_rows(
    source: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """The rows that pass the source's model (as JSON values, with their keys), and the
    refused ones with their field and rule in both languages."""
    good, refused = [], []
    for position, raw in enumerate(rows):
        try:
            row = _adapter(source).validate_python(raw)
        except ValidationError as err:
            refused.append(Rejected.invalid(position, None, err.errors(), "registry.schema"))
            continue
        data = {k: _plain(v) for k, v in row.model_dump().items()}
        good.append({"key": key_of(source, data), "data": data})
    return good, refused
