"""Body grades and organisation classes: empirical-Bayes shrinkage and explanations."""

import numpy as np
import pandas as pd
import pytest

from qcert.supervision.analytics.scores import grade, org_classes, prior_strength

from .world import AS_OF, clean


def _rows(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [
        {"body_id": body, "org_id": None, "indicator": indicator}
        for (body, indicator), n in counts.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows, columns=["body_id", "org_id", "indicator"])


def _peers() -> tuple[dict, dict]:
    """Twenty bodies of 100 certificates with 0-4 surveillance gaps each (about 2 per 100)."""
    counts, exposure = {}, {}
    for b in range(20):
        counts[(f"P{b}", "surveillance-gap")] = b % 5
        exposure[f"P{b}"] = 100.0
    return counts, exposure


def test_shrinkage_pulls_a_two_certificate_body_toward_the_peer_mean():
    counts, exposure = _peers()
    # Same raw rate, 50 per 100 certificates: a small body and a large one.
    counts[("SMALL", "surveillance-gap")], exposure["SMALL"] = 1, 2.0
    counts[("LARGE", "surveillance-gap")], exposure["LARGE"] = 500, 1000.0
    graded = grade(_rows(counts), pd.Series(exposure), "body_id").set_index("entity_id")
    small, large = graded.loc["SMALL", "score"], graded.loc["LARGE", "score"]
    rate = (40 + 1 + 500) / (20 * 100 + 2 + 1000)  # the national rate per certificate
    raw = 0.5 / rate  # both bodies' unshrunk relative risk, about 2.8
    assert 1.0 < small < 1.0 + 0.5 * (raw - 1.0)  # more than halfway back to the mean
    assert large == pytest.approx(raw, rel=0.02)  # 1,000 certificates speak for themselves
    assert graded.loc["LARGE", "grade"] == "D"


def test_a_body_without_events_scores_at_or_below_the_peer_mean():
    counts, exposure = _peers()
    exposure["CLEAN"] = 100.0
    graded = grade(_rows(counts), pd.Series(exposure), "body_id").set_index("entity_id")
    assert graded.loc["CLEAN", "score"] <= 1.0
    assert graded.loc["CLEAN", "top"] == []


def test_the_explanation_names_the_top_indicator_first():
    counts, exposure = _peers()
    counts[("BAD", "mill-fast")] = 8
    counts[("BAD", "surveillance-gap")] = 5
    counts[("P1", "mill-fast")] = 1
    exposure["BAD"] = 100.0
    graded = grade(_rows(counts), pd.Series(exposure), "body_id").set_index("entity_id")
    assert graded.loc["BAD", "top"][0] == "mill-fast"
    assert graded.index[0] == "BAD"  # worst first


def test_prior_strength_is_weak_when_bodies_differ_and_strong_when_they_do_not():
    expected = np.full(50, 10.0)
    alike = prior_strength(np.full(50, 10.0), expected)
    x = np.sqrt(0.4)  # ratios 1 ± x: variance 0.4, of which 1/E = 0.1 is Poisson noise
    differ = prior_strength(np.r_[np.full(25, 10 * (1 - x)), np.full(25, 10 * (1 + x))], expected)
    very = prior_strength(np.r_[np.zeros(25), np.full(25, 20.0)], expected)
    assert alike == 100.0
    assert differ == pytest.approx(1.0 / 0.3)
    assert very == 2.0  # never weaker than two pseudo-events


def test_organisation_classes_from_a_scan(run):
    from qcert.supervision.analytics.scan import duckdb, scan

    w = clean()
    w.org("O2", deregistered_on=AS_OF.replace(month=1))
    w.certificate("C2", org="O2")
    tables = duckdb(w.tables())
    classes = org_classes(scan(tables, AS_OF), tables, AS_OF).set_index("entity_id")
    assert classes.loc["O2", "top"][0] == "mill-deregistered"
    assert classes.loc["O2", "score"] > classes.loc["O1", "score"]
