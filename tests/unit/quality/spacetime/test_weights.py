"""Neighbourhoods from coordinates: plan distances for lines, great circles for divisions."""

import math

import numpy as np
import pytest

from qcert.quality.spacetime.weights import (
    EARTH_RADIUS_KM,
    distance_band,
    distance_matrix,
    k_nearest,
)

# Five lines on a plant floor, 1 m apart on a grid:  D E
#                                                    A B C
LAYOUT = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)]


def test_a_distance_band_includes_each_location_itself_for_gi_star():
    w = distance_band(LAYOUT, 1.0)
    # Within 1 m of A: A, B, D; of B: A, B, C, E; of C: B, C; of D: A, D, E; of E: B, D, E.
    expected = [
        [1, 1, 0, 1, 0],
        [1, 1, 1, 0, 1],
        [0, 1, 1, 0, 0],
        [1, 0, 0, 1, 1],
        [0, 1, 0, 1, 1],
    ]
    assert w.tolist() == expected
    assert np.diag(distance_band(LAYOUT, 1.0, include_self=False)).sum() == 0


def test_k_nearest_picks_the_closest_others_breaking_ties_by_position():
    w = k_nearest(LAYOUT, 2, include_self=False)
    # C's distances: B 1, E sqrt(2), A 2, D sqrt(5): its two nearest are B and E.
    assert np.flatnonzero(w[2]).tolist() == [1, 4]
    # A's nearest two are B and D (both at 1); E at sqrt(2) is left out.
    assert np.flatnonzero(w[0]).tolist() == [1, 3]
    assert (k_nearest(LAYOUT, 2).sum(axis=1) == 3).all()


def test_one_degree_of_latitude_is_pi_r_over_180_km():
    d = distance_matrix([(116.0, 39.0), (116.0, 40.0)], "haversine")
    assert d[0, 1] == pytest.approx(math.pi * EARTH_RADIUS_KM / 180)  # 111.195 km


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_latitude():
    # Along the equator one degree is pi R / 180; at 60 degrees the arc between two points
    # on the parallel is the great circle, slightly shorter than R cos(60) pi/180 = 55.60 km.
    d = distance_matrix([(0.0, 0.0), (1.0, 0.0), (0.0, 60.0), (1.0, 60.0)], "haversine")
    assert d[0, 1] == pytest.approx(111.1951, abs=1e-3)
    assert 55.55 < d[2, 3] < 55.60


@pytest.mark.parametrize(
    ("coords", "metric", "field"),
    [
        ([(0, 0)], "euclidean", "coords"),
        ([(0, 0), (1, float("nan"))], "euclidean", "coords"),
        ([(0, 0), (0, 91)], "haversine", "coords"),
        ([(0, 0), (1, 1)], "manhattan", "metric"),
    ],
)
def test_bad_coordinates_are_refused_naming_the_field(coords, metric, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        distance_matrix(coords, metric)


def test_k_must_leave_room_for_the_location_itself():
    with pytest.raises(ValueError, match=r"^k: "):
        k_nearest(LAYOUT, 5)
