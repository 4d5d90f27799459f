"""Random inspection's model: the inspection list, the two directories, the parameters and the
draw's result, with the refusals and the checks of every input.

The names follow 国务院关于在市场监管领域全面推行部门联合"双随机、一公开"监管的意见
(国发〔2019〕5号): an inspection list (抽查事项清单), a target directory (检查对象名录库)
and an inspector directory (执法检查人员名录库). The draw itself is ``qcert.supervision.draw``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import QcertError
from ..locale.names import field_label
from ..locale.problems import problem

__all__ = [
    "KINDS",
    "AssignmentImpossible",
    "DrawError",
    "DrawInputInvalid",
    "DrawInputs",
    "DrawParameters",
    "DrawResult",
    "InspectionItem",
    "Inspector",
    "Pairing",
    "Selection",
    "Stratum",
    "Target",
    "check_inputs",
    "inputs_from_document",
]

KINDS = ("body", "certificate", "organisation")
_ADCODE = re.compile(r"\d{6}")

Scalar = str | int | float | bool


# .. errors ...................................................................


class DrawError(QcertError):
    """A draw refused: ``rule`` names the rule, ``en`` and ``zh`` say why in both languages."""

    status = 422

    def __init__(self, rule: str, en: str, zh: str) -> None:
        self.rule, self.en, self.zh = rule, en, zh
        super().__init__(f"{en} / {zh} [{rule}]")


class DrawInputInvalid(DrawError):
    """An input that cannot be drawn from; ``field`` names it."""

    def __init__(self, field_name: str, rule: str, en: str, zh: str) -> None:
        self.field = field_name
        super().__init__(rule, f"{field_name}: {en}", f"{field_label(field_name)}：{zh}")


class AssignmentImpossible(DrawError):
    """Too few inspectors are left for ``target`` once ``rule`` is applied."""

    def __init__(self, target: str, rule: str, en: str, zh: str) -> None:
        self.target = target
        super().__init__(rule, f"target {target}: {en}", f"检查对象 {target}：{zh}")


# .. inputs ...................................................................


@dataclass(frozen=True)
class InspectionItem:
    """An item of the inspection list (抽查事项): what is checked, and the qualification an
    inspector needs to check it."""

    id: str
    name_zh: str
    name_en: str
    qualification: str


@dataclass(frozen=True)
class Target:
    """An entry of the target directory (检查对象名录库).

    ``kind``: body, certificate or organisation; ``risk``: its risk class (any label: 'A'..'D',
    'low'..'high'); ``region``: GB/T 2260 code of where it is; ``body_id``: the certification
    body (itself for a body); ``organisation_id``: the certified organisation, if any;
    ``attributes``: further values the draw may filter on (scheme, sector, ...).
    """

    id: str
    kind: str
    risk: str
    region: str
    body_id: str
    organisation_id: str | None = None
    attributes: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True)
class Inspector:
    """An entry of the inspector directory (执法检查人员名录库): the qualifications held, the
    GB/T 2260 code of the office, and every body or organisation the inspector is employed by
    or affiliated with (for recusal)."""

    id: str
    qualifications: frozenset[str]
    region: str
    affiliations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pairing:
    """A past inspection: ``inspector_id`` inspected (a target of) ``body_id``."""

    inspector_id: str
    body_id: str


@dataclass(frozen=True)
class DrawParameters:
    """How many to draw and which rules to apply.

    ``sizes`` (targets per risk class) or ``rates`` (share of each class, 0-1): exactly one;
    ``floor``: every class gets at least this many (all of it when smaller); ``control_share``
    (0 <= share < 1): the least share of all draws made uniformly from the whole frame;
    ``inspectors_per_target``: at least 2; ``kinds``, ``region_prefix``, ``where``: the frame
    keeps targets of these kinds, whose region code starts with the prefix and whose
    attributes take one of the listed values; ``region_match``: 'any', or inspectors from the
    target's 'province' (first 2 digits) or 'city' (first 4); ``no_repeat``: refuse inspectors
    who inspected the target's body before.
    """

    sizes: Mapping[str, int] | None = None
    rates: Mapping[str, float] | None = None
    floor: int = 1
    control_share: float = 0.0
    inspectors_per_target: int = 2
    kinds: tuple[str, ...] = ()
    region_prefix: str = ""
    where: Mapping[str, tuple[Scalar, ...]] = field(default_factory=dict)
    region_match: Literal["any", "province", "city"] = "any"
    no_repeat: bool = True


@dataclass(frozen=True)
class DrawInputs:
    """Everything a draw depends on except the seed: what is published before it."""

    items: Sequence[InspectionItem]
    targets: Sequence[Target]
    inspectors: Sequence[Inspector]
    history: Sequence[Pairing]
    parameters: DrawParameters


# .. outputs ..................................................................


@dataclass(frozen=True)
class Stratum:
    """A risk class of the frame: ``population`` N_h targets, ``sample`` n_h drawn from it."""

    risk: str
    population: int
    sample: int


@dataclass(frozen=True)
class Selection:
    """A selected target: its ``stratum`` (risk class), its ``inclusion_probability`` under
    the design, whether the stratified draw (``stratified``) and the control draw
    (``control``) picked it, and the ``inspectors`` drawn for it, in draw order."""

    target: Target
    stratum: str
    inclusion_probability: float
    stratified: bool
    control: bool
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    """What a draw publishes: the hash of its canonical inputs, the seed's commitment, the
    digest the generator was seeded with, the design (frame size, strata, control size) and
    the selected targets in id order."""

    version: str
    inputs_sha256: str
    commitment: str
    digest: str
    population: int
    strata: tuple[Stratum, ...]
    control_size: int
    selections: tuple[Selection, ...]


# .. checks ...................................................................


def _invalid(field_name: str, key: str, /, **fields: object) -> DrawInputInvalid:
    # The problem ``key``'s sentences are in the catalogs (locale.problems).
    return DrawInputInvalid(field_name, "input.invalid", *problem(key, **fields))


def _unique(ids: Iterable[str], name: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if not isinstance(i, str) or not i:
            raise _invalid(f"{name}.id", "draw.id_empty")
        if i in seen:
            raise _invalid(f"{name}.id", "draw.id_twice", id=i)
        seen.add(i)


def _check_scalar(value: Any, name: str) -> None:
    ok = isinstance(value, str | int | bool) or (isinstance(value, float) and math.isfinite(value))
    if not ok:
        raise _invalid(name, "value.scalar")


def _check_targets(targets: Sequence[Target]) -> None:
    _unique((t.id for t in targets), "targets")
    for t in targets:
        if t.kind not in KINDS:
            raise _invalid(f"targets[{t.id}].kind", "draw.kind", kind=t.kind, kinds=KINDS)
        if not t.risk:
            raise _invalid(f"targets[{t.id}].risk", "draw.risk_required")
        if not _ADCODE.fullmatch(t.region):
            raise _invalid(f"targets[{t.id}].region", "region.adcode")
        if not t.body_id:
            raise _invalid(f"targets[{t.id}].body_id", "draw.body_required")
        for key, value in t.attributes.items():
            _check_scalar(value, f"targets[{t.id}].attributes.{key}")


def _check_inspectors(inspectors: Sequence[Inspector]) -> None:
    _unique((i.id for i in inspectors), "inspectors")
    for i in inspectors:
        if not _ADCODE.fullmatch(i.region):
            raise _invalid(f"inspectors[{i.id}].region", "region.adcode")


def _check_share(value: float, name: str, upper_open: bool) -> None:
    bad = not isinstance(value, int | float) or not math.isfinite(value) or value < 0
    if bad or value > 1 or (upper_open and value == 1):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise _invalid(name, "number.within", bound=bound)


def _check_parameters(p: DrawParameters) -> None:
    if (p.sizes is None) == (p.rates is None):
        raise _invalid("parameters.sizes", "draw.sizes_or_rates")
    for risk, n in (p.sizes or {}).items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise _invalid(f"parameters.sizes[{risk}]", "number.whole_non_negative")
    for risk, rate in (p.rates or {}).items():
        _check_share(rate, f"parameters.rates[{risk}]", upper_open=False)
    if not isinstance(p.floor, int) or p.floor < 0:
        raise _invalid("parameters.floor", "number.whole_non_negative")
    _check_share(p.control_share, "parameters.control_share", upper_open=True)
    if not isinstance(p.inspectors_per_target, int) or p.inspectors_per_target < 2:
        # 行政处罚法 (2021) art. 42: 执法人员不得少于两人.
        raise DrawInputInvalid(
            "parameters.inspectors_per_target",
            "inspectors.at-least-two",
            "at least 2 inspectors per target (Administrative Penalty Law, art. 42)",
            "每个检查对象至少 2 名检查人员（《行政处罚法》第四十二条）",
        )
    for kind in p.kinds:
        if kind not in KINDS:
            raise _invalid("parameters.kinds", "draw.kind", kind=kind, kinds=KINDS)
    if p.region_prefix and not re.fullmatch(r"\d{1,6}", p.region_prefix):
        raise _invalid("parameters.region_prefix", "region.prefix")
    if p.region_match not in ("any", "province", "city"):
        raise _invalid(
            "parameters.region_match", "choice.one_of", choices=("any", "province", "city")
        )
    for key, values in p.where.items():
        for value in values:
            _check_scalar(value, f"parameters.where.{key}")


def check_inputs(inputs: DrawInputs) -> None:
    """Refuse, naming the field (``DrawInputInvalid``), inputs a draw cannot use."""
    if not inputs.items:
        raise _invalid("items", "draw.no_items")
    _unique((i.id for i in inputs.items), "items")
    _check_targets(inputs.targets)
    _check_inspectors(inputs.inspectors)
    _check_parameters(inputs.parameters)


def inputs_from_document(doc: Mapping[str, Any]) -> DrawInputs:
    """The inputs a canonical inputs document (``draw.canonical_inputs``) holds: what anyone
    re-running a published draw reads back. DrawInputInvalid naming the field otherwise."""
    try:
        p = doc["parameters"]
        where = {k: tuple(v) for k, v in (p.get("where") or {}).items()}
        parameters = DrawParameters(
            sizes=p.get("sizes"),
            rates=p.get("rates"),
            floor=int(p.get("floor", 1)),
            control_share=float(p.get("control_share", 0.0)),
            inspectors_per_target=int(p.get("inspectors_per_target", 2)),
            kinds=tuple(p.get("kinds") or ()),
            region_prefix=str(p.get("region_prefix") or ""),
            where=where,
            region_match=p.get("region_match", "any"),
            no_repeat=bool(p.get("no_repeat", True)),
        )
        inputs = DrawInputs(
            items=[InspectionItem(**i) for i in doc["items"]],
            targets=[
                Target(**{**t, "attributes": dict(t.get("attributes") or {})})
                for t in doc["targets"]
            ],
            inspectors=[
                Inspector(
                    i["id"],
                    frozenset(i.get("qualifications") or ()),
                    i["region"],
                    frozenset(i.get("affiliations") or ()),
                )
                for i in doc["inspectors"]
            ],
            history=[Pairing(h["inspector_id"], h["body_id"]) for h in doc.get("history") or ()],
            parameters=parameters,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _invalid("inputs", "draw.inputs_document", reason=err) from None
    check_inputs(inputs)
    return inputs
