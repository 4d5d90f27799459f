"""The hub's commands. Handlers live in handlers.py; who may run each, in the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le, MaxLen
from pydantic import ConfigDict, Strict, StringConstraints

from ..exchange.submission import Envelope
from ..lifecycle.inputs import Code, Day, Id, Name, Note, Sha256, Text, Word

__all__ = [
    "ChangeWarning",
    "CommitDraw",
    "EnrolBody",
    "FlagLog",
    "ImportRegistry",
    "RaiseWarnings",
    "RankWarning",
    "RecordInspectionResult",
    "RecordScan",
    "ReferWarning",
    "RegisterReportingKey",
    "RevealDraw",
    "SubmitReport",
]

Size = Annotated[int, Strict(), Ge(0), Le(10**15)]


@dataclass(frozen=True)
class EnrolBody:
    """Enrol a certification body at the hub: names, region (GB/T 2260), the log it keeps
    (checkpoint origin and verifier key) and its first submission key."""

    body_id: Id
    name_zh: Name
    name_en: Name
    region: Code
    origin: Name
    vkey: Text(400)
    key_id: Id
    public_key_multibase: Code


@dataclass(frozen=True)
class RegisterReportingKey:
    """Register another key an enrolled body signs its submissions with."""

    body_id: Id
    key_id: Id
    public_key_multibase: Code


@dataclass(frozen=True)
class SubmitReport:
    """Take in a body's submission (the reporting standard's envelope, records checked one by
    one)."""

    envelope: Envelope


@dataclass(frozen=True)
class FlagLog:
    """Record that the hub's witness refused a checkpoint of an enrolled body's log."""

    body_id: Id
    origin: Name
    held: Size
    offered: Size
    reason: Note


@dataclass(frozen=True)
class CommitDraw:
    """Open a random inspection campaign in a jurisdiction: the SHA-256 commitment to the seed
    (kept secret until the draw) and the draw's inputs (``qcert.supervision.draw``'s canonical
    inputs document: items, target and inspector pools, history, parameters)."""

    draw_id: Id
    name_zh: Name
    name_en: Name
    jurisdiction: Code
    commitment: Sha256
    inputs: Annotated[dict[str, Any], MaxLen(6)]


@dataclass(frozen=True)
class RevealDraw:
    """Reveal a campaign's seed: the draw runs on its published inputs and is recorded."""

    draw_id: Id
    seed: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{32,256}$")]


@dataclass(frozen=True)
class RecordInspectionResult:
    """Publish the result of inspecting one drawn target."""

    draw_id: Id
    target_id: Code
    outcome: Word
    on: Day
    note: Note = ""


Hit = Annotated[dict[str, Any], MaxLen(12)]
Source = Literal[
    "body-scopes",
    "auditors",
    "employments",
    "organisations",
    "sampling",
    "complaints",
    "penalties",
    "public-queries",
]


@dataclass(frozen=True)
class ImportRegistry:
    """Take in rows of one of the hub's other sources (each checked by its source's model)."""

    source: Source
    rows: Annotated[list[Annotated[dict[str, Any], MaxLen(12)]], MaxLen(5000)]


@dataclass(frozen=True)
class RaiseWarnings:
    """Record what a risk scan found: each indicator's firing rows (entity, value, threshold,
    evidence, day) with the division each lies in."""

    hits: Annotated[list[Hit], MaxLen(5000)]


@dataclass(frozen=True)
class RecordScan:
    """Record a risk scan's figures: indicator counts, body grades, organisation classes."""

    as_of: Day
    counts: Annotated[dict[str, int], MaxLen(100)]
    grades: Annotated[list[Hit], MaxLen(5000)]
    classes: Annotated[dict[str, int], MaxLen(10)]
    riskiest: Annotated[list[Hit], MaxLen(1000)]


@dataclass(frozen=True)
class ChangeWarning:
    """Move a warning on (acknowledged, investigating, confirmed, dismissed), saying why."""

    warning_id: Id
    status: Word
    reason: Note


@dataclass(frozen=True)
class RankWarning:
    """Override a warning's priority (1 highest to 5), saying why."""

    warning_id: Id
    priority: Annotated[int, Strict(), Ge(1), Le(5)]
    reason: Note


@dataclass(frozen=True)
class ReferWarning:
    """Refer a warning to another region's regulators, to be handled by ``due``."""

    warning_id: Id
    to: Code
    due: Day
    reason: Note


for _name in __all__:
    globals()[_name].__pydantic_config__ = ConfigDict(extra="forbid")
