"""False-discovery-rate control over a family of tests (Benjamini & Hochberg 1995)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..inputs_error import InputError

__all__ = ["benjamini_hochberg"]


def benjamini_hochberg(p: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """BH-adjusted p-values (q-values) along ``axis``; reject where ``q <= alpha``.

    Benjamini & Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1),
    289-300, §3: with ordered p-values p_(1) <= ... <= p_(m), reject H_(1)..H_(k) for the
    largest k with p_(k) <= k alpha / m. Equivalently q_(i) = min_{j >= i} min(1, m p_(j) / j),
    and H_(i) is rejected at level alpha exactly when q_(i) <= alpha. The level holds for
    independent tests and for positively dependent ones (Benjamini & Yekutieli 2001, Annals of
    Statistics 29(4), 1165-1188, Theorem 1.2), which is the case of overlapping G_i*
    neighbourhoods.
    """
    values = np.asarray(p, dtype=float)
    if values.size == 0:
        return values.copy()
    if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise InputError("p: every p-value must lie within [0, 1]", "每个 p 值须在 [0, 1] 之内")
    moved = np.moveaxis(values, axis, -1)
    m = moved.shape[-1]
    order = np.argsort(moved, axis=-1, kind="stable")
    ranked = np.take_along_axis(moved, order, axis=-1) * m / np.arange(1, m + 1)
    # The step-up: each q is the smallest scaled p at its rank or above.
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(ranked)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), axis=-1)
    return np.moveaxis(q, -1, axis)
