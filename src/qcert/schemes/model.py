"""The certification scheme as data: a Pydantic model, validated on load.

A scheme file (YAML) says what a certification checks and how it runs:
requirement clauses with the evidence expected, audit stages, how audit time
is determined, surveillance, validity, certificate fields, decision rules and
mappings to other schemes' clauses. Clause titles are short paraphrases written
for qcert, never the standards' text. The JSON Schema published in
``docs/scheme.schema.json`` is generated from :class:`Scheme`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..locale import messages as from_catalogs

__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "PHASES",
    "AuditTimeRule",
    "Clause",
    "ClauseMapping",
    "DecisionRule",
    "Kind",
    "Scheme",
    "Stage",
    "Text",
]

CLAUSE_ID = r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$"
SCHEME_ID = r"^urn:qcert:scheme:[a-z0-9][a-z0-9.-]*(:[a-z0-9][a-z0-9.-]*)*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    """User-facing text in both languages."""

    zh: Annotated[str, Field(alias="zh-CN", min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class Kind(StrEnum):
    """What is certified, and under which conformity-assessment standard."""

    management_system = "management-system"  # ISO/IEC 17021-1
    product = "product"  # ISO/IEC 17065
    service = "service"  # ISO/IEC 17065 (services)


class Standard(_Model):
    code: Annotated[str, Field(min_length=1, examples=["ISO 9001"])]
    edition: Annotated[str, Field(min_length=4, examples=["2015"])]
    title: Text


class Clause(_Model):
    """A requirement, with a stable id, a short title of our own, and the evidence expected."""

    id: Annotated[str, Field(pattern=CLAUSE_ID)]
    title: Text
    evidence: list[str] = []
    weight: Annotated[float, Field(ge=0)] = 1.0
    clauses: list[Clause] = []


# When in a certification cycle a stage is held: before the first decision (``initial``), between
# decisions (``surveillance``), before a renewal (``recertification``), or when something happens
# (``special``: complaints, changes, suspensions).
PHASES = ("initial", "surveillance", "recertification", "special")


class Stage(_Model):
    """One audit or assessment step of the scheme (stage 1, stage 2, type test ...).

    ``phase`` says when in the cycle it is held; ``activity`` whether it is an audit (planned
    with a team and days, held on site when ``on_site``) or a test (a laboratory's report with
    its result). Every ``initial`` stage is done before a grant and every ``recertification``
    stage before a renewal when the scheme's decision rules check ``stages-done``. ``source``
    says where the stage comes from.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    title: Text
    phase: Literal["initial", "surveillance", "recertification", "special"]
    activity: Literal["audit", "test"] = "audit"
    on_site: bool = True
    source: Annotated[str, Field(min_length=1)]


class AuditTimeRule(_Model):
    """How the audit time is determined.

    ``iaf-md5`` uses the IAF MD 5 table named by ``table`` (``qms``, ``ems``,
    ``ohs``) and the effective number of personnel; ``personnel-table`` uses a
    table of the scheme's own; ``fixed`` gives days per stage. An audit of a stage
    held on site spends at least ``on_site_share`` of its actual days on site
    (``on_site_source`` says why).
    """

    method: Literal["iaf-md5", "personnel-table", "fixed"]
    table: str | None = None
    complexity: bool = False
    rows: list[tuple[int, float]] = []
    days: dict[str, float] = {}
    surveillance_fraction: Annotated[float, Field(gt=0, le=1)] = 1 / 3
    recertification_fraction: Annotated[float, Field(gt=0, le=1)] = 2 / 3
    source: str
    on_site_share: Annotated[float, Field(ge=0, le=1)]
    on_site_source: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _complete(self) -> AuditTimeRule:
        if self.method == "iaf-md5" and self.table not in ("qms", "ems", "ohs"):
            raise ValueError("iaf-md5 needs table: qms, ems or ohs")
        if self.method == "personnel-table" and not self.rows:
            raise ValueError("personnel-table needs rows: [[max personnel, days], ...]")
        if self.method == "fixed" and not self.days:
            raise ValueError("fixed needs days: {stage: days}")
        return self


class Surveillance(_Model):
    """ISO/IEC 17021-1 9.1.3 / 9.6.2: when surveillance happens."""

    interval_months: Annotated[int, Field(ge=1, le=36)] = 12
    first_within_months: Annotated[int, Field(ge=1, le=36)] = 12
    per_calendar_year: Annotated[int, Field(ge=0)] = 1
    product_sampling: bool = False
    source: str


class CertificateField(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Text
    required: bool = True


# The predicates a decision rule may name, each computed by the lifecycle over a certification's
# state (``qcert.lifecycle.decision_rules``).
CHECK_NAMES: tuple[str, ...] = (
    "stages-done",
    "nonconformities-closed",
    "nonconformities-answered",
    "test-passed",
    "decider-independent",
)
# What each check verifies, check -> (zh-CN, en).
CHECKS = from_catalogs(__name__, "CHECKS")


class DecisionRule(_Model):
    """A condition the decision checks, with where it comes from.

    ``check`` names one of the predicates in :data:`CHECKS`; ``grades`` and ``stage`` are its
    parameters; ``outcomes`` are the decisions it applies to. A grant or renewal that fails it
    is refused as ``decision.<id>`` with ``text`` and ``source``.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    text: Text
    source: str
    check: Annotated[str, Field(json_schema_extra={"enum": list(CHECK_NAMES)})]
    grades: list[Literal["major", "minor"]] = []
    stage: str | None = None
    outcomes: Annotated[list[Literal["grant", "renew"]], Field(min_length=1)] = ["grant", "renew"]

    @model_validator(mode="after")
    def _known(self) -> DecisionRule:
        if self.check not in CHECK_NAMES:
            raise ValueError(
                f"decision rule {self.id!r}: unknown check {self.check!r}; "
                f"the lifecycle implements {', '.join(CHECK_NAMES)}"
            )
        if self.check == "test-passed" and not self.stage:
            raise ValueError(f"decision rule {self.id!r}: test-passed needs stage")
        if self.check in ("stages-done", "decider-independent") and (self.stage or self.grades):
            raise ValueError(f"decision rule {self.id!r}: {self.check} takes no stage or grades")
        return self


class MappedClause(_Model):
    clause: str
    target: str
    relation: Literal["equal", "subset", "superset", "intersect"]


class ClauseMapping(_Model):
    """How this scheme's clauses relate to another scheme's."""

    scheme: Annotated[str, Field(pattern=SCHEME_ID)]
    pairs: list[MappedClause]


class Level(_Model):
    level: Annotated[int, Field(ge=1)]
    title: Text
    min_score: Annotated[float, Field(ge=0, le=1)]


class Scoring(_Model):
    """Maturity scoring: clause scores in [0, 1], weighted, mapped to levels."""

    levels: list[Level]
    source: str


class EmissionFactor(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$")]
    title: Text
    unit: str
    kg_co2e_per_unit: Annotated[float, Field(ge=0)]
    stage: Literal["raw-materials", "production", "distribution", "use", "end-of-life"]
    source: str


class Footprint(_Model):
    """Carbon-footprint calculation: activity data times emission factors."""

    functional_unit: Text
    factors: list[EmissionFactor]
    source: str


class Scheme(_Model):
    """A certification scheme (see the module docstring)."""

    id: Annotated[str, Field(pattern=SCHEME_ID)]
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    title: Text
    kind: Kind
    accreditation: Literal["ISO/IEC 17021-1", "ISO/IEC 17065"]
    standard: Standard
    clauses: Annotated[list[Clause], Field(min_length=1)]
    stages: Annotated[list[Stage], Field(min_length=1)]
    audit_time: AuditTimeRule
    surveillance: Surveillance
    validity_years: Annotated[int, Field(ge=1, le=10)] = 3
    certificate_fields: Annotated[list[CertificateField], Field(min_length=1)]
    decision_rules: list[DecisionRule] = []
    mappings: list[ClauseMapping] = []
    scoring: Scoring | None = None
    footprint: Footprint | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        ids = [c.id for c in self.all_clauses()]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"clause ids must be unique; repeated: {', '.join(dupes)}")
        known = set(ids)
        for m in self.mappings:
            for p in m.pairs:
                if p.clause not in known:
                    raise ValueError(f"mapping to {m.scheme} names unknown clause {p.clause!r}")
        self._stages_consistent()
        self._decision_rules_consistent()
        if self.scoring:
            mins = [lv.min_score for lv in self.scoring.levels]
            if mins != sorted(mins):
                raise ValueError("scoring levels must rise with min_score")
        return self

    def _stages_consistent(self) -> None:
        ids = [s.id for s in self.stages]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"stage ids must be unique; repeated: {', '.join(dupes)}")
        for stage in self.audit_time.days:
            if stage not in ids:
                raise ValueError(f"audit_time.days names unknown stage {stage!r}")
            if self.stage(stage).activity != "audit":
                raise ValueError(f"audit_time.days: {stage!r} is a test, not an audit")
        if not self.stages_in("initial"):
            raise ValueError("stages: at least one initial stage is needed before a first decision")
        if not self.stages_in("surveillance", "audit"):
            raise ValueError("stages: a surveillance audit is needed (surveillance)")
        if self.surveillance.product_sampling and not self.stages_in("surveillance", "test"):
            raise ValueError(
                "surveillance.product_sampling needs a surveillance stage with activity: test"
            )

    def _decision_rules_consistent(self) -> None:
        ids = [r.id for r in self.decision_rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"decision rule ids must be unique; repeated: {', '.join(dupes)}")
        if not any(r.check == "stages-done" for r in self.decision_rules):
            raise ValueError(
                "decision_rules: a rule with check stages-done is needed: a decision rests on "
                "the stages the scheme declares"
            )
        known = {s.id: s for s in self.stages}
        for r in self.decision_rules:
            if r.stage is None:
                continue
            if r.stage not in known:
                raise ValueError(f"decision rule {r.id!r} names unknown stage {r.stage!r}")
            wanted = "test" if r.check == "test-passed" else "audit"
            if known[r.stage].activity != wanted:
                raise ValueError(
                    f"decision rule {r.id!r}: {r.check} needs a stage with activity {wanted}"
                )

    def stage(self, stage_id: str) -> Stage:
        """The stage ``stage_id``; KeyError when the scheme has none."""
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)

    def stages_in(self, phase: str, activity: str | None = None) -> list[Stage]:
        """The stages of ``phase`` (and ``activity`` when given), in the order declared."""
        return [
            s
            for s in self.stages
            if s.phase == phase and (activity is None or s.activity == activity)
        ]

    def all_clauses(self) -> list[Clause]:
        """Every clause, depth first."""
        out: list[Clause] = []
        stack = list(reversed(self.clauses))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(reversed(c.clauses))
        return out
