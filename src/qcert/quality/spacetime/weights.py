"""Who neighbours whom: distances and binary spatial weights from coordinates.

Locations are either administrative divisions, each given by a representative point as
(longitude, latitude) in degrees with great-circle distances in km, or lines within a plant
given by plan coordinates (x, y) in any unit, with Euclidean distances in that same unit.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..inputs_error import InputError

__all__ = ["EARTH_RADIUS_KM", "Metric", "distance_band", "distance_matrix", "k_nearest"]

Metric = Literal["euclidean", "haversine"]

# Mean Earth radius R1 = (2a + b) / 3 of GRS 80 (Moritz 2000, Journal of Geodesy 74, 128-133).
EARTH_RADIUS_KM = 6371.0088


def coordinates(coords: ArrayLike, metric: Metric = "euclidean") -> NDArray[np.float64]:
    """``coords`` as an (n, 2) float array, checked for ``metric``.

    For ``haversine`` the columns are longitude then latitude, in degrees.
    """
    if metric not in ("euclidean", "haversine"):
        raise InputError(
            f"metric: {metric!r} is not 'euclidean' or 'haversine'",
            f"--metric：{metric!r} 不是 'euclidean' 或 'haversine'",
        )
    xy = np.asarray(coords, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] < 2:
        raise InputError(
            "coords: expected an (n, 2) array with n >= 2",
            "坐标须为每个位置一对 (x, y)，且至少 2 个位置",
        )
    if not np.isfinite(xy).all():
        raise InputError("coords: every coordinate must be a finite number", "每个坐标须为有限数")
    if metric == "haversine" and (np.abs(xy[:, 1]) > 90).any():
        raise InputError(
            "coords: latitude (second column) must lie within [-90, 90] degrees",
            "纬度（--y 列）须在 -90 到 90 度之间",
        )
    return xy


def distance_matrix(coords: ArrayLike, metric: Metric = "euclidean") -> NDArray[np.float64]:
    """Pairwise distances, (n, n): coordinate units (euclidean) or km (haversine).

    The haversine form is Sinnott (1984), "Virtues of the Haversine", Sky and Telescope 68(2),
    159, on a sphere of radius ``EARTH_RADIUS_KM``.
    """
    xy = coordinates(coords, metric)
    if metric == "euclidean":
        return np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    d_lon, d_lat = lon[:, None] - lon[None, :], lat[:, None] - lat[None, :]
    cos_cos = np.cos(lat[:, None]) * np.cos(lat[None, :])
    h = np.sin(d_lat / 2) ** 2 + cos_cos * np.sin(d_lon / 2) ** 2
    # Rounding can push h a hair past 1 for antipodal points; arcsin would return NaN.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_band(
    coords: ArrayLike,
    threshold: float,
    *,
    metric: Metric = "euclidean",
    include_self: bool = True,
) -> NDArray[np.float64]:
    """Binary weights, (n, n): 1 where two locations are at most ``threshold`` apart.

    ``threshold`` is in coordinate units (euclidean) or km (haversine). With ``include_self``
    each location is its own neighbour, as the G_i* statistic requires (Getis & Ord 1992,
    Geographical Analysis 24(3), 189-206, §2).
    """
    if not np.isfinite(threshold) or threshold < 0:
        raise InputError(
            "threshold: must be a finite distance >= 0", "--distance 须为不小于 0 的有限距离"
        )
    w = (distance_matrix(coords, metric) <= threshold).astype(float)
    np.fill_diagonal(w, 1.0 if include_self else 0.0)
    return w


def k_nearest(
    coords: ArrayLike,
    k: int,
    *,
    metric: Metric = "euclidean",
    include_self: bool = True,
) -> NDArray[np.float64]:
    """Binary weights, (n, n): row i has 1 for the ``k`` locations nearest to i (i excluded).

    Ties at the k-th distance are broken by position in ``coords``. The matrix is not
    symmetric in general; G_i* reads row i only, so it needs no symmetry. With
    ``include_self`` the diagonal is 1 as well (k + 1 ones per row).
    """
    d = distance_matrix(coords, metric)
    n = d.shape[0]
    if not 1 <= k < n:
        raise InputError(
            f"k: must be between 1 and {n - 1} (the number of other locations)",
            f"--k 须在 1 与 {n - 1}（其他位置的个数）之间",
        )
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
    w = np.zeros((n, n))
    np.put_along_axis(w, nearest, 1.0, axis=1)
    np.fill_diagonal(w, 1.0 if include_self else 0.0)
    return w
