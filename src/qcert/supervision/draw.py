"""Double-random inspection (双随机、一公开): targets and inspectors drawn at random, in public.

Sources:

- 国务院关于在市场监管领域全面推行部门联合"双随机、一公开"监管的意见 (国发〔2019〕5号): inspection
  targets are drawn at random from a target directory (检查对象名录库) and inspectors at random
  from an inspector directory (执法检查人员名录库) for the items of an inspection list
  (抽查事项清单); sampling rates differ by risk and credit class; results are made public.
- 国市监认证发〔2025〕72号, articles (十一)-(十三): the regulator's supervision platform, with
  risk-graded (风险研判) and traceable, verifiable supervision of certification activity.
- 《中华人民共和国行政处罚法》(2021) art. 42 (at least two law-enforcement officers) and art. 43
  (an officer with an interest in the matter withdraws, 回避).

The draw is a pure function of its published inputs and a seed revealed after them, so anyone
can re-run it. Before the draw the regulator publishes ``commitment(seed)`` and the canonical
inputs (or their hash, ``DrawResult.inputs_sha256``); after it, the seed. A reader checks
``verify_reveal(commitment, seed)`` and re-runs ``draw(inputs, seed)``.

Algorithm (version ``qcert.draw.v1``), exactly:

1. Canonical inputs: the JSON object ``{"version", "items", "targets", "inspectors",
   "history", "parameters"}`` (fields as in ``canonical_inputs``), every list sorted by its
   ``id`` (history by inspector then body, duplicates dropped; qualification and affiliation
   lists sorted), serialized by RFC 8785 (JSON Canonicalization Scheme).
2. Digest: ``D = SHA-256(b"qcert.draw.v1\\x00" + seed (ASCII) + b"\\x00" + canonical inputs)``.
3. Generator: ``numpy.random.PCG64(numpy.random.SeedSequence(int.from_bytes(D, "big")))``;
   only its raw 64-bit outputs (``random_raw()``) are used, whose stream NumPy keeps stable
   across versions (NEP 19). ``below(m)``: draw raw outputs r until ``r < 2**64 - 2**64 % m``,
   return ``r % m``. ``sample(list, n)``: a partial Fisher-Yates shuffle: for i = 0 .. n-1,
   ``j = i + below(len - i)``, swap items i and j; the first n items are the sample.
4. Frame: the targets that pass the filters (kind, region prefix, attribute values), by id.
5. Strata are the risk classes of the frame, sorted by name. In that order, each stratum h of
   N_h targets (sorted by id) gives ``sample(stratum, n_h)`` with n_h = ``sizes[h]``, or
   ``ceil(rate_h * N_h)`` (the rate read as its shortest decimal form), then raised to the
   floor, ``min(N_h, max(n_h, floor))``, so no class is exempt; a class absent from sizes or
   rates gets the floor.
6. Control: ``sample(frame, n_c)`` over the whole frame (sorted by id), independent of step 5,
   with n_c the least integer such that n_c >= share * (n_s + n_c), n_s = sum of n_h; i.e.
   ``ceil(share * n_s / (1 - share))``, at most N. A target drawn in both is inspected once.
7. Inspectors, for each selected target in id order: the pool (sorted by id) less those not
   holding every item's qualification, those affiliated with the target's body or
   organisation (recusal), those who inspected the target's body before (history), and, when
   asked, those outside the target's province or city; then ``sample(eligible, k)``, k the
   inspectors per target. Fewer than k eligible is a refusal naming the target and the rule.

Target i of stratum h is selected with probability
``pi_i = 1 - (1 - n_h / N_h) (1 - n_c / N)`` (two independent simple random samples without
replacement); ``qcert.supervision.estimate.horvitz_thompson`` estimates a population rate
from the results with it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

from ..ledger.canonical import canonical_json
from .inspection import (
    KINDS,
    AssignmentImpossible,
    DrawError,
    DrawInputInvalid,
    DrawInputs,
    DrawParameters,
    DrawResult,
    InspectionItem,
    Inspector,
    Pairing,
    Selection,
    Stratum,
    Target,
    check_inputs,
)

__all__ = [
    "KINDS",
    "VERSION",
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
    "canonical_inputs",
    "commitment",
    "draw",
    "new_seed",
    "verify_reveal",
]

VERSION = "qcert.draw.v1"
_SEED = re.compile(r"[A-Za-z0-9_-]{32,256}")
T = TypeVar("T")


# .. commit and reveal ........................................................


def new_seed() -> str:
    """A fresh seed: 256 bits from the operating system, as 64 hex digits."""
    return secrets.token_hex(32)


def _check_seed(seed: str) -> bytes:
    if not isinstance(seed, str) or not _SEED.fullmatch(seed):
        raise DrawInputInvalid(
            "seed",
            "seed.form",
            "must be 32-256 characters of A-Z, a-z, 0-9, '-' or '_' (e.g. 64 hex digits)",
            "须为 32–256 个字母、数字、“-”或“_”（如 64 位十六进制数）",
        )
    return seed.encode("ascii")


def commitment(seed: str) -> str:
    """The hex SHA-256 commitment to ``seed``, published before the draw.

    ``SHA-256(b"qcert.draw.commitment.v1\\x00" + seed)``: the seed's 128+ bits of entropy keep
    it hidden until revealed; the prefix keeps it apart from the draw's own digest.
    """
    return hashlib.sha256(b"qcert.draw.commitment.v1\x00" + _check_seed(seed)).hexdigest()


def verify_reveal(commitment_hex: str, seed: str) -> bool:
    """Whether the revealed ``seed`` is the one committed to by ``commitment_hex``."""
    try:
        expected = commitment(seed)
    except DrawInputInvalid:
        return False
    return hmac.compare_digest(expected, commitment_hex.strip().lower())


# .. canonical inputs ..........................................................


def canonical_inputs(inputs: DrawInputs) -> bytes:
    """The inputs as RFC 8785 canonical JSON: what is published and hashed (step 1).

    Raises ``DrawInputInvalid`` naming the field when an input cannot be drawn from.
    """
    check_inputs(inputs)
    p = inputs.parameters
    doc = {
        "version": VERSION,
        "items": [
            {
                "id": i.id,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "qualification": i.qualification,
            }
            for i in sorted(inputs.items, key=lambda i: i.id)
        ],
        "targets": [
            {
                "id": t.id,
                "kind": t.kind,
                "risk": t.risk,
                "region": t.region,
                "body_id": t.body_id,
                "organisation_id": t.organisation_id,
                "attributes": dict(t.attributes),
            }
            for t in sorted(inputs.targets, key=lambda t: t.id)
        ],
        "inspectors": [
            {
                "id": i.id,
                "qualifications": sorted(i.qualifications),
                "region": i.region,
                "affiliations": sorted(i.affiliations),
            }
            for i in sorted(inputs.inspectors, key=lambda i: i.id)
        ],
        "history": [
            {"inspector_id": a, "body_id": b}
            for a, b in sorted({(h.inspector_id, h.body_id) for h in inputs.history})
        ],
        "parameters": {
            "sizes": None if p.sizes is None else dict(p.sizes),
            "rates": None if p.rates is None else dict(p.rates),
            "floor": p.floor,
            "control_share": p.control_share,
            "inspectors_per_target": p.inspectors_per_target,
            "kinds": sorted(set(p.kinds)),
            "region_prefix": p.region_prefix,
            "where": {k: list(v) for k, v in p.where.items()},
            "region_match": p.region_match,
            "no_repeat": p.no_repeat,
        },
    }
    return canonical_json(doc)


# .. the random stream ..........................................................


class _Stream:
    """Uniform integers and samples from PCG64's raw outputs (steps 2-3 of the algorithm)."""

    def __init__(self, digest: bytes) -> None:
        self._bits = np.random.PCG64(np.random.SeedSequence(int.from_bytes(digest, "big")))

    def below(self, m: int) -> int:
        """Uniform on 0 .. m-1; rejection keeps it exactly uniform for any m."""
        limit = (1 << 64) - (1 << 64) % m
        while True:
            r = int(self._bits.random_raw())
            if r < limit:
                return r % m

    def sample(self, items: Sequence[T], n: int) -> list[T]:
        """``n`` of ``items`` without replacement, by a partial Fisher-Yates shuffle."""
        a = list(items)
        for i in range(n):
            j = i + self.below(len(a) - i)
            a[i], a[j] = a[j], a[i]
        return a[:n]


# .. the draw ..................................................................


def _in_frame(t: Target, p: DrawParameters) -> bool:
    if p.kinds and t.kind not in p.kinds:
        return False
    if not t.region.startswith(p.region_prefix):
        return False
    return all(t.attributes.get(k) in set(v) for k, v in p.where.items())


def _stratum_size(risk: str, population: int, p: DrawParameters) -> int:
    if p.sizes is not None:
        n = p.sizes.get(risk, 0)
    else:
        # The rate as written (0.1, not 0.1000000000000000055...) so 10% of 30 is 3, not 4.
        rate = Fraction(repr(float((p.rates or {}).get(risk, 0.0))))
        n = math.ceil(rate * population)
    return min(population, max(n, p.floor))


def _control_size(share: float, stratified: int, population: int) -> int:
    c = Fraction(repr(float(share)))
    return min(population, math.ceil(c * stratified / (1 - c)))


def _inclusion(f_h: Fraction, g: Fraction) -> Fraction:
    return 1 - (1 - f_h) * (1 - g)


def draw(inputs: DrawInputs, seed: str) -> DrawResult:
    """Draw targets and inspectors from ``inputs`` with ``seed`` (the module's algorithm).

    Raises ``DrawInputInvalid`` for inputs that cannot be drawn from and
    ``AssignmentImpossible`` when some selected target has too few eligible inspectors.
    """
    seed_bytes = _check_seed(seed)
    canonical = canonical_inputs(inputs)
    digest = hashlib.sha256(VERSION.encode() + b"\x00" + seed_bytes + b"\x00" + canonical).digest()
    stream = _Stream(digest)
    p = inputs.parameters
    frame = sorted((t for t in inputs.targets if _in_frame(t, p)), key=lambda t: t.id)
    if not frame:
        raise DrawInputInvalid(
            "targets", "frame.empty", "no target passes the filters", "没有符合筛选条件的检查对象"
        )
    by_risk: dict[str, list[Target]] = {}
    for t in frame:
        by_risk.setdefault(t.risk, []).append(t)
    strata, stratified = [], set()
    for risk in sorted(by_risk):
        members = by_risk[risk]
        n_h = _stratum_size(risk, len(members), p)
        strata.append(Stratum(risk, len(members), n_h))
        stratified |= {t.id for t in stream.sample(members, n_h)}
    n_c = _control_size(p.control_share, sum(s.sample for s in strata), len(frame))
    control = {t.id for t in stream.sample(frame, n_c)}
    g = Fraction(n_c, len(frame))
    probability = {s.risk: _inclusion(Fraction(s.sample, s.population), g) for s in strata}
    assign = _Assigner(inputs, stream)
    selections = tuple(
        Selection(
            target=t,
            stratum=t.risk,
            inclusion_probability=float(probability[t.risk]),
            stratified=t.id in stratified,
            control=t.id in control,
            inspectors=assign(t),
        )
        for t in frame
        if t.id in stratified or t.id in control
    )
    return DrawResult(
        version=VERSION,
        inputs_sha256=hashlib.sha256(canonical).hexdigest(),
        commitment=commitment(seed),
        digest=digest.hex(),
        population=len(frame),
        strata=tuple(strata),
        control_size=n_c,
        selections=selections,
    )


class _Assigner:
    """Draws the inspectors of one target after the eligibility rules (step 7)."""

    def __init__(self, inputs: DrawInputs, stream: _Stream) -> None:
        self.pool = sorted(inputs.inspectors, key=lambda i: i.id)
        self.needed = {i.qualification for i in inputs.items}
        self.history = {(h.inspector_id, h.body_id) for h in inputs.history}
        self.k = inputs.parameters.inspectors_per_target
        self.region_match = inputs.parameters.region_match
        self.no_repeat = inputs.parameters.no_repeat
        self.stream = stream

    def __call__(self, target: Target) -> tuple[str, ...]:
        eligible = self.pool
        for rule, keep, en, zh in self._rules(target):
            eligible = [i for i in eligible if keep(i)]
            if len(eligible) < self.k:
                raise AssignmentImpossible(
                    target.id,
                    rule,
                    f"{len(eligible)} inspector(s) left after {en}, {self.k} needed",
                    f"按{zh}筛选后仅剩 {len(eligible)} 名检查人员，需要 {self.k} 名",
                )
        return tuple(i.id for i in self.stream.sample(eligible, self.k))

    def _rules(self, t: Target) -> list[tuple[str, Any, str, str]]:
        interested = {t.body_id} | ({t.organisation_id} if t.organisation_id else set())
        digits = {"province": 2, "city": 4}.get(self.region_match, 0)
        rules = [
            (
                "inspector.qualification",
                lambda i: self.needed <= i.qualifications,
                f"qualification ({', '.join(sorted(self.needed))})",
                f"检查资格（{'、'.join(sorted(self.needed))}）",
            ),
            (
                # 行政处罚法 (2021) art. 43: an officer with an interest in the matter withdraws.
                "inspector.recusal",
                lambda i: not (i.affiliations & interested),
                f"recusal (affiliated with {', '.join(sorted(interested))})",
                f"回避（与 {'、'.join(sorted(interested))} 有关联）",
            ),
        ]
        if self.no_repeat:
            rules.append(
                (
                    "inspector.no-repeat",
                    lambda i: (i.id, t.body_id) not in self.history,
                    f"no repeat pairing (inspected body {t.body_id} before)",
                    f"不重复匹配（曾检查认证机构 {t.body_id}）",
                )
            )
        if digits:
            rules.append(
                (
                    "inspector.region",
                    lambda i: i.region[:digits] == t.region[:digits],
                    f"region (same {self.region_match} as {t.region})",
                    f"地域（与 {t.region} 同{'省' if digits == 2 else '市'}）",
                )
            )
        return rules
