"""Body grades A-D and organisation risk classes from the indicators' rows.

These set the odds of being picked for inspection (国市监认证发〔2025〕72号 (十二): risk research
and early warning; random inspection weighted by risk). They are never a public verdict on a
body or an organisation: a grade says where to look first, not what was found.

Model: for an entity e (a body, an organisation) and an indicator i, the rows where i fired
against e are O_ei events over an exposure n_e (a body's certificates issued by the scan day; an
organisation's certificates). With the national rate μ_i = Σ O / Σ n, the expected count is
E_ei = n_e μ_i and the relative risk O_ei / E_ei is 1 for an entity like its peers. A small
entity's ratio is mostly noise, so each is shrunk toward 1 by empirical Bayes (Clayton & Kaldor
1987, Biometrics 43:671-681): with a Gamma(a_i, a_i) prior on the relative risk (mean 1, the
peer mean; variance 1/a_i), the posterior mean is (O_ei + a_i) / (E_ei + a_i). The prior's
strength a_i is estimated per indicator by the method of moments: the exposure-weighted variance
of the raw ratios less the Poisson part (the mean of 1/E), floored at 0.01 and with a_i held in
[2, 100]: never weaker than two pseudo-events, so one event in a small body at most triples its
relative risk on that indicator. An entity's score is 1 plus its weighted excess relative
risks, 1 + Σ_i w_i max(RR_ei − 1, 0) (weights :data:`WEIGHTS`): 1 for an entity no worse than
its peers on any indicator, 2 for one with twice its peers' rate of a weight-1 indicator. Only
excess counts: doing better than peers on one indicator never offsets a signal on another. Its
explanation lists the indicators contributing most, w_i × (RR_ei − 1).

Grades by score: A < 1.25, B < 1.75, C < 2.5, D ≥ 2.5 (bodies); organisation classes
low / medium / high / very high on the same cut points.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from ._common import literal_day
from .registry import INDICATORS
from .tables import HubTables

__all__ = ["CUTS", "WEIGHTS", "body_grades", "exposures", "grade", "org_classes"]

# Severity weights: a first setting for the regulator to tune; certificate-mill signals,
# certificates outside scope and unqualified auditors weigh most, reporting lapses least.
WEIGHTS: dict[str, float] = {
    **dict.fromkeys(INDICATORS, 1.0),
    "scope-outside": 3.0,
    "mill-fast": 3.0,
    "mill-rate": 3.0,
    "mill-many-standards": 3.0,
    "mill-deregistered": 2.0,
    "auditor-unregistered": 3.0,
    "auditor-double-booked": 2.0,
    "auditor-impossible-travel": 2.0,
    "checkin-missing": 2.0,
    "checkin-far": 2.0,
    "report-late": 0.5,
    "report-edited": 0.5,
}
CUTS = (1.25, 1.75, 2.5)
BODY_GRADES = ("A", "B", "C", "D")
ORG_CLASSES = ("low", "medium", "high", "very high")
PRIOR_BOUNDS = (2.0, 100.0)


def exposures(tables: HubTables, as_of: date) -> tuple[pd.Series, pd.Series]:
    """Certificates issued by ``as_of`` per body and per organisation (ibis, any backend)."""
    c = tables.certificates
    c = c.filter(c.issued_on <= literal_day(as_of))
    bodies = c.group_by("body_id").aggregate(n=c.count()).to_pyarrow().to_pandas()
    orgs = c.group_by("org_id").aggregate(n=c.count()).to_pyarrow().to_pandas()
    return (
        bodies.set_index("body_id")["n"].astype(float),
        orgs.set_index("org_id")["n"].astype(float),
    )


def prior_strength(observed: np.ndarray, expected: np.ndarray) -> float:
    """Method-of-moments strength a of the Gamma(a, a) prior on relative risks."""
    keep = expected > 0
    o, e = observed[keep], expected[keep]
    if e.size < 2:
        return PRIOR_BOUNDS[1]
    ratio = o / e
    variance = float(np.sum(e * (ratio - 1.0) ** 2) / np.sum(e))
    between = max(variance - float(np.mean(1.0 / e)), 0.01)
    return float(np.clip(1.0 / between, *PRIOR_BOUNDS))


def grade(
    rows: pd.DataFrame, exposure: pd.Series, key: str, labels: tuple[str, ...] = BODY_GRADES
) -> pd.DataFrame:
    """Grades of every entity in ``exposure`` from indicator ``rows`` counted by column ``key``
    (``body_id`` or ``org_id``), worst first: ``entity_id``, ``grade``, ``score`` (1 = peer
    average), ``exposure`` and ``top`` (up to three indicator ids raising the score, largest
    contribution w × (RR − 1) first)."""
    exposure = exposure[exposure > 0]
    counted = rows.dropna(subset=[key])
    counts = (
        counted.groupby([key, "indicator"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=exposure.index, fill_value=0)
    )
    names = list(INDICATORS)
    weights = np.array([WEIGHTS.get(i, 1.0) for i in names])
    matrix = np.ones((len(exposure), len(names)))
    total = float(exposure.sum())
    for j, indicator in enumerate(names):
        if indicator in counts.columns:
            observed = counts[indicator].to_numpy(float)
            expected = exposure.to_numpy() * observed.sum() / total
            a = prior_strength(observed, expected)
            matrix[:, j] = (observed + a) / (expected + a)
    # Only excess risk counts: being like or better than peers on one indicator never offsets a
    # signal on another (a certificate mill is not redeemed by punctual reporting).
    contribution = np.maximum(matrix - 1.0, 0.0) * weights
    score = 1.0 + contribution.sum(axis=1)
    order = np.argsort(-contribution, axis=1, kind="stable")[:, :3]
    picked = np.take_along_axis(contribution, order, axis=1)
    ids = np.array(names, dtype=object)[order]
    top = [list(i[p > 0]) for i, p in zip(ids, picked, strict=True)]
    out = pd.DataFrame(
        {
            "entity_id": exposure.index.astype(str),
            "grade": np.array(labels)[np.searchsorted(CUTS, score, side="right")],
            "score": score,
            "exposure": exposure.to_numpy(),
            "top": top,
        }
    )
    return out.sort_values(["score", "entity_id"], ascending=[False, True], ignore_index=True)


def body_grades(rows: pa.Table | pd.DataFrame, tables: HubTables, as_of: date) -> pd.DataFrame:
    """Body grades A-D from a scan's rows (see the module for the model)."""
    frame = rows.to_pandas() if isinstance(rows, pa.Table) else rows
    return grade(frame, exposures(tables, as_of)[0], "body_id")


def org_classes(rows: pa.Table | pd.DataFrame, tables: HubTables, as_of: date) -> pd.DataFrame:
    """Organisation risk classes (low, medium, high, very high) from a scan's rows."""
    frame = rows.to_pandas() if isinstance(rows, pa.Table) else rows
    return grade(frame, exposures(tables, as_of)[1], "org_id", ORG_CLASSES)
