"""Kulldorff's space-time permutation scan: a hand-checked cylinder, planted clusters found,
nothing found in null data."""

import math

import numpy as np
import pytest

from qcert.quality.spacetime import scan
from qcert.quality.spacetime.scan import _permuted, space_time_permutation_scan

SIDE = 6
GRID = [(i, j) for i in range(SIDE) for j in range(SIDE)]  # plant lines 1 unit apart
CENTRE = 2 * SIDE + 2
PLUS = {CENTRE, CENTRE - 1, CENTRE + 1, CENTRE - SIDE, CENTRE + SIDE}  # radius 1 around (2, 2)
FAR_CORNER = {35, 34, 29, 28}  # (5, 5), (5, 4), (4, 5), (4, 4)


def background(seed: int, slices: int = 20):
    """Poisson counts with rates differing by location and rising over time, but no
    space-time interaction: the permutation model's null hypothesis."""
    rng = np.random.default_rng(seed)
    rate = np.outer(np.linspace(1.0, 1.5, slices), rng.uniform(2.0, 6.0, SIDE * SIDE))
    return rng, rng.poisson(rate)


def test_expected_count_and_llr_by_hand():
    # Two lines, two shifts:   line 0  line 1
    #              shift 0       5       5
    #              shift 1       1       9        C = 20
    # Line totals 6 and 14, shift totals 10 and 10. Prospective, 1 shift, 1 line per circle:
    # mu(line 1, shift 1) = 10 x 14 / 20 = 7 < 9 observed;
    # LLR = 9 ln(9/7) + 11 ln(11/13) = 2.26183 - 1.83760 = 0.42423.
    # mu(line 0, shift 1) = 10 x 6 / 20 = 3 > 1 observed: no excess, not a cluster.
    result = space_time_permutation_scan([[5, 5], [1, 9]], [(0, 0), (1, 0)], replications=9, seed=1)
    (cluster,) = result.clusters
    assert (cluster.locations, cluster.start, cluster.end) == ((1,), 1, 1)
    assert (cluster.observed, cluster.expected) == (9, pytest.approx(7.0))
    assert cluster.llr == pytest.approx(9 * math.log(9 / 7) + 11 * math.log(11 / 13))
    assert cluster.llr == pytest.approx(0.42423, abs=1e-5)
    assert cluster.relative_risk == pytest.approx(9 / 7)
    # Monte Carlo p: (1 + replications at least as extreme) / (1 + replications).
    beaten = int((result.null_llr >= cluster.llr).sum())
    assert cluster.p_value == pytest.approx((1 + beaten) / 10)


def test_a_permuted_table_keeps_both_margins():
    _, table = background(8)
    shuffled = _permuted(table, np.random.default_rng(0))
    assert (shuffled.sum(axis=0) == table.sum(axis=0)).all()
    assert (shuffled.sum(axis=1) == table.sum(axis=1)).all()
    assert (shuffled != table).any()


def test_an_emerging_cluster_is_found_with_its_lines_and_shifts():
    rng, counts = background(7)
    counts[-3:, sorted(PLUS)] += rng.poisson(6.0, (3, 5))  # about 2x the rate, last 3 shifts
    result = space_time_permutation_scan(counts, GRID, replications=199, seed=7)
    top = result.clusters[0]
    assert set(top.locations) == PLUS and top.locations[0] == CENTRE
    assert (top.start, top.end) == (17, 19)
    assert top.p_value < 0.05
    assert result.significant() == (top,)


def test_null_data_give_no_significant_cluster():
    _, counts = background(7)
    result = space_time_permutation_scan(counts, GRID, replications=199, seed=7)
    assert result.clusters[0].p_value > 0.05
    assert result.significant() == ()


def test_a_past_cluster_is_found_retrospectively_but_not_prospectively():
    rng, counts = background(11)
    counts[8:11, sorted(PLUS)] += rng.poisson(8.0, (3, 5))
    retro = space_time_permutation_scan(counts, GRID, prospective=False, replications=199, seed=11)
    top = retro.clusters[0]
    assert set(top.locations) == PLUS and (top.start, top.end) == (8, 10)
    assert top.p_value < 0.05
    prospective = space_time_permutation_scan(counts, GRID, replications=199, seed=11)
    assert prospective.significant() == ()
    assert all(c.end == 19 for c in prospective.clusters)


def test_a_second_cluster_is_reported_apart_from_the_first():
    rng, counts = background(12)
    counts[-3:, sorted(PLUS)] += rng.poisson(8.0, (3, 5))
    counts[-2:, sorted(FAR_CORNER)] += rng.poisson(6.0, (2, 4))
    result = space_time_permutation_scan(counts, GRID, replications=199, seed=12)
    first, second = result.significant()
    assert set(first.locations) == PLUS
    assert set(second.locations) == FAR_CORNER and (second.start, second.end) == (18, 19)
    assert first.llr > second.llr and first.p_value <= second.p_value < 0.05


def test_scanning_centres_in_chunks_changes_nothing(monkeypatch):
    rng, counts = background(7)
    counts[-3:, sorted(PLUS)] += rng.poisson(6.0, (3, 5))
    whole = space_time_permutation_scan(counts, GRID, replications=19, seed=2)
    monkeypatch.setattr(scan, "_CHUNK_CELLS", 1)  # one centre at a time
    chunked = space_time_permutation_scan(counts, GRID, replications=19, seed=2)
    assert chunked.clusters == whole.clusters
    assert (chunked.null_llr == whole.null_llr).all()


def test_divisions_by_longitude_and_latitude():
    # 6 x 6 county seats 0.5 degree apart around 40 N: neighbours east and west are
    # 0.5 x 111.2 x cos(40) = 42.6 km away, north and south 55.6 km, so the plus of 5 is a
    # whole circle of radius 55.6 km (the next seats are 70 km away).
    seats = [(116.0 + 0.5 * i, 37.5 + 0.5 * j) for i in range(SIDE) for j in range(SIDE)]
    rng, counts = background(7)
    counts[-3:, sorted(PLUS)] += rng.poisson(6.0, (3, 5))
    top = space_time_permutation_scan(
        counts, seats, metric="haversine", replications=99, seed=7
    ).clusters[0]
    assert set(top.locations) == PLUS and top.p_value < 0.05
    assert top.radius == pytest.approx(55.6, abs=0.1)


def test_same_seed_same_p_values():
    rng, counts = background(7)
    counts[-3:, sorted(PLUS)] += rng.poisson(6.0, (3, 5))
    runs = [space_time_permutation_scan(counts, GRID, replications=49, seed=3) for _ in range(2)]
    assert runs[0].clusters == runs[1].clusters


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ([[1, -1], [2, 2]], "counts"),
        ([[1.5, 1], [2, 2]], "counts"),
        ([[1, 2, 3]], "counts"),
    ],
)
def test_bad_counts_are_refused(counts, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        space_time_permutation_scan(counts, [(0, 0), (1, 0)], replications=9)
