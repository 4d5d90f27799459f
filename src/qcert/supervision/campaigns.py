"""An inspection campaign (双随机、一公开): its seed committed on the hub's log before the draw,
revealed after it, the draw re-run from the published inputs, and each result made public.

国发〔2019〕5号 asks that targets and inspectors be drawn at random and the results published; the
commitment on the log proves the seed was fixed before anyone could see what it would draw, and
the published inputs (content-addressed by their SHA-256) let anyone re-run it
(:mod:`qcert.supervision.draw` gives the algorithm).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from ..lifecycle.aggregate import Aggregate, invalid, out_of_order, text_field
from ..lifecycle.rules import refuse
from . import events as ev
from .draw import canonical_inputs, commitment, draw, verify_reveal
from .estimate import horvitz_thompson
from .inspection import inputs_from_document

__all__ = ["OUTCOMES", "Campaign", "estimate", "rerun"]

OUTCOMES = ("compliant", "non-compliant", "not-found")


class Campaign(Aggregate):
    """A random inspection campaign of a jurisdiction."""

    kind = "hub-draw"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.name_zh = self.name_en = self.jurisdiction = ""
        self.commitment = self.inputs_sha256 = self.committed_at = ""
        self.seed = self.digest = ""
        self.population = 0
        self.strata: list[dict[str, Any]] = []
        self.selections: list[dict[str, Any]] = []
        self.results: dict[str, dict[str, Any]] = {}

    @classmethod
    def commit(
        cls,
        draw_id: str,
        name_zh: str,
        name_en: str,
        jurisdiction: str,
        seed_commitment: str,
        inputs: dict[str, Any],
        today: date,
    ) -> tuple[Campaign, bytes]:
        """Open a campaign: the commitment to its seed and its inputs (checked, and returned as
        the canonical bytes to publish)."""
        published = canonical_inputs(inputs_from_document(inputs))
        sha = hashlib.sha256(published).hexdigest()
        campaign = cls(text_field("draw_id", draw_id, 64))
        campaign.record(
            ev.DrawCommitted(
                text_field("name_zh", name_zh, 200),
                text_field("name_en", name_en, 200),
                jurisdiction,
                seed_commitment,
                sha,
                len(inputs["targets"]),
                today.isoformat(),
            )
        )
        return campaign, published

    def reveal(self, seed: str, published: bytes) -> None:
        """Reveal the seed and record the draw it gives on the published inputs."""
        if self.seed:
            raise out_of_order("action.reveal_seed", "why.seed_revealed")
        if not verify_reveal(self.commitment, seed):
            raise invalid("seed", "draw.seed_mismatch", commitment=self.commitment)
        result = draw(inputs_from_document(json.loads(published)), seed)
        assert result.commitment == commitment(seed)
        self.record(
            ev.DrawRevealed(
                seed,
                result.digest,
                result.population,
                [
                    {"risk": s.risk, "population": s.population, "sample": s.sample}
                    for s in result.strata
                ],
                [
                    {
                        "target": s.target.id,
                        "kind": s.target.kind,
                        "region": s.target.region,
                        "body_id": s.target.body_id,
                        "stratum": s.stratum,
                        "inclusion_probability": s.inclusion_probability,
                        "stratified": s.stratified,
                        "control": s.control,
                        "inspectors": list(s.inspectors),
                    }
                    for s in result.selections
                ],
            )
        )

    def record_result(self, target: str, outcome: str, on: date, note: str, today: date) -> None:
        """Publish the result of inspecting a drawn target (一公开), inspected on ``on``."""
        if on > today:
            raise refuse("date.future", field="on", on=on.isoformat(), today=today.isoformat())
        if not self.seed:
            raise out_of_order("action.record_result", "why.nothing_drawn")
        if target not in {s["target"] for s in self.selections}:
            raise invalid("target_id", "draw.not_drawn", target=target)
        if target in self.results:
            # A published result stands (一公开): what the public read is never rewritten.
            raise out_of_order("action.record_result", "why.result_published", target=target)
        if outcome not in OUTCOMES:
            raise invalid("outcome", "choice.one_of", choices=OUTCOMES)
        if on < date.fromisoformat(self.committed_at[:10]):
            raise invalid("on", "draw.before_draw")
        self.record(ev.InspectionResult(target, outcome, on.isoformat(), note.strip()))

    # -- folding ------------------------------------------------------------------------

    def _on_draw_committed(self, e: ev.DrawCommitted) -> None:
        self.name_zh, self.name_en, self.jurisdiction = e.name_zh, e.name_en, e.jurisdiction
        self.commitment, self.inputs_sha256 = e.commitment, e.inputs_sha256
        self.committed_at = e.on

    def _on_draw_revealed(self, e: ev.DrawRevealed) -> None:
        self.seed, self.digest, self.population = e.seed, e.digest, e.population
        self.strata, self.selections = list(e.strata), list(e.selections)

    def _on_inspection_result(self, e: ev.InspectionResult) -> None:
        self.results[e.target] = {"outcome": e.outcome, "on": e.on, "note": e.note}


def rerun(published: dict[str, Any], inputs: bytes) -> list[str]:
    """Re-run a published campaign from its inputs and revealed seed; what differs from what it
    published (nothing, for an honest draw). Anyone can: no key, no account, no database."""
    problems = []
    sha = hashlib.sha256(inputs).hexdigest()
    if sha != published["inputs_sha256"]:
        problems.append(
            f"inputs: SHA-256 {sha}, the campaign committed to {published['inputs_sha256']}"
        )
    seed = published.get("seed") or ""
    if not seed:
        return [*problems, "seed: not revealed yet"]
    if not verify_reveal(published["commitment"], seed):
        problems.append("seed: does not match the commitment published before the draw")
    result = draw(inputs_from_document(json.loads(inputs)), seed)
    mine = [(s.target.id, s.stratum, s.control, list(s.inspectors)) for s in result.selections]
    theirs = [
        (s["target"], s["stratum"], s["control"], list(s["inspectors"]))
        for s in published["selections"]
    ]
    if mine != theirs:
        problems.append(
            f"selections: the draw gives {len(mine)} targets "
            f"({', '.join(t for t, *_ in mine[:5])}...), the campaign published {len(theirs)} "
            "that differ"
        )
    if result.digest != published.get("digest"):
        problems.append(f"digest: the draw gives {result.digest}")
    return problems


def estimate(published: dict[str, Any], inputs: bytes) -> dict[str, Any] | None:
    """The Horvitz-Thompson estimate of the frame's non-compliance rate from a campaign's
    results, once every drawn target has one; None before."""
    results = published["results"]
    if not published.get("seed") or len(results) < len(published["selections"]):
        return None
    result = draw(inputs_from_document(json.loads(inputs)), published["seed"])
    outcomes = {t: float(r["outcome"] == "non-compliant") for t, r in results.items()}
    found = horvitz_thompson(result, outcomes)
    return {
        "non_compliance_rate": found.rate,
        "standard_error": found.standard_error,
        "sample": found.sample,
        "population": found.population,
    }
