"""The hub's events: a body enrolled for reporting, a submission taken in, a body's log refused.

Like every event they are ledger leaves of the hub's own log, so what a body reported, and when
the hub received it, is provable (国市监认证发〔2025〕72号 (十一), (十二)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..lifecycle.events import Event

__all__ = [
    "BodyEnrolled",
    "BodyKeyRegistered",
    "DrawCommitted",
    "DrawRevealed",
    "InspectionResult",
    "LogRefused",
    "RegistryImported",
    "ReportAccepted",
    "ScanRecorded",
    "WarningChanged",
    "WarningRaised",
    "WarningRanked",
    "WarningReferred",
]


@dataclass(frozen=True)
class BodyEnrolled(Event):
    """A certification body was enrolled at the hub: its names, the division it is registered
    in (GB/T 2260), the log it keeps (checkpoint origin and verifier keys), which the hub
    witnesses, and the day its duty to report on time starts (what happened before is a
    backfill, never late)."""

    name: ClassVar[str] = "hub.body-enrolled"
    body_id: str
    name_zh: str
    name_en: str
    region: str
    origin: str
    vkey: str
    on: str


@dataclass(frozen=True)
class BodyKeyRegistered(Event):
    """A key the body signs its submissions with (Ed25519 Multikey) was registered at the hub."""

    name: ClassVar[str] = "hub.key-registered"
    key_id: str
    public_key_multibase: str


@dataclass(frozen=True)
class ReportAccepted(Event):
    """Records of a signed submission were taken in: the submission's hash, the key that signed
    it, when it was sent and received, and each record accepted (its id, kind, revision, hash,
    reporting lag in seconds, the body's ledger index if any, and the record itself). Records
    sent again unchanged are not repeated here."""

    name: ClassVar[str] = "hub.report-accepted"
    submission: str
    key_id: str
    sent_at: str
    received_at: str
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class LogRefused(Event):
    """The hub, as witness, refused a checkpoint of the body's log: a rollback, a fork or a
    split view (C2SP tlog-witness ``inconsistent``), with the sizes involved."""

    name: ClassVar[str] = "hub.log-refused"
    origin: str
    held: int
    offered: int
    reason: str


@dataclass(frozen=True)
class DrawCommitted(Event):
    """A random inspection campaign was opened in a jurisdiction: the SHA-256 commitment to its
    seed and the SHA-256 of its published inputs (item list, target and inspector pools,
    parameters), before anything is drawn (国发〔2019〕5号)."""

    name: ClassVar[str] = "hub.draw-committed"
    name_zh: str
    name_en: str
    jurisdiction: str
    commitment: str
    inputs_sha256: str
    targets: int
    on: str


@dataclass(frozen=True)
class DrawRevealed(Event):
    """The campaign's seed was revealed and the draw it gives recorded: the digest seeding the
    generator, the frame, each risk class's population and sample, and every selected target
    with its inclusion probability and the inspectors drawn for it."""

    name: ClassVar[str] = "hub.draw-revealed"
    seed: str
    digest: str
    population: int
    strata: list[dict[str, Any]]
    selections: list[dict[str, Any]]


@dataclass(frozen=True)
class InspectionResult(Event):
    """The result of inspecting a drawn target was published (一公开): compliant, non-compliant or
    not found, on a day, with a note."""

    name: ClassVar[str] = "hub.inspection-result"
    target: str
    outcome: str
    on: str
    note: str


@dataclass(frozen=True)
class WarningRaised(Event):
    """A risk indicator fired on an entity: the indicator, the entity (and its body and
    organisation), the division it lies in, the value against the threshold, the evidence (the
    reported records' ids) and the day; raised again when it fires on new evidence."""

    name: ClassVar[str] = "hub.warning-raised"
    indicator: str
    entity_kind: str
    entity_id: str
    body_id: str
    org_id: str
    region: str
    value: float
    threshold: float
    evidence: list[str]
    day: str


@dataclass(frozen=True)
class WarningChanged(Event):
    """A regulator moved a warning on: acknowledged, investigating, confirmed or dismissed,
    with the reason."""

    name: ClassVar[str] = "hub.warning-changed"
    status: str
    reason: str


@dataclass(frozen=True)
class WarningRanked(Event):
    """A regulator overrode a warning's priority (1 highest to 5), with the reason."""

    name: ClassVar[str] = "hub.warning-ranked"
    priority: int
    reason: str


@dataclass(frozen=True)
class WarningReferred(Event):
    """A warning was referred to another jurisdiction (GB/T 2260), to be handled by a day: its
    regulators see it, and the records it rests on, from then on."""

    name: ClassVar[str] = "hub.warning-referred"
    to: str
    due: str
    reason: str


@dataclass(frozen=True)
class RegistryImported(Event):
    """Rows of one of the hub's other sources were taken in (body scopes, auditors, employments,
    business registrations, sampling results, complaints, penalties, public queries), each with
    its key within the source; a key imported again replaces its row."""

    name: ClassVar[str] = "hub.registry-imported"
    source: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ScanRecorded(Event):
    """A risk scan of the hub's data as of a day: how often each indicator fired, every body's
    grade (A-D, with its score and the indicators that raised it most) and the riskiest
    organisations' classes, besides the count of each class. Grades set inspection odds; they
    are never a public verdict."""

    name: ClassVar[str] = "hub.scan-recorded"
    as_of: str
    counts: dict[str, int]
    grades: list[dict[str, Any]]
    classes: dict[str, int]
    riskiest: list[dict[str, Any]]
