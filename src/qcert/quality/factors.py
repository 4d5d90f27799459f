"""Control-chart factors (d2, d3, c4, A2, A3, B3-B6, D1-D4) computed from their definitions.

The published table (Montgomery, *Introduction to Statistical Quality Control*, 7th ed.,
Appendix VI, n = 2..25) rounds these to three or four decimals; here they are computed to
about 1e-7 for any subgroup size, and the tests check them against the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import integrate, special

__all__ = ["Factors", "c4", "d2", "d3", "factors"]

# A fixed grid for the inner integral over the smallest observation: the normal density is
# below 1e-17 beyond |x| = 9, and Simpson's rule on 3,601 points is exact to ~1e-9 here.
_X = np.linspace(-9.0, 9.0, 3601)
_PHI = np.exp(-(_X**2) / 2.0) / math.sqrt(2.0 * math.pi)


def _check_size(n: int) -> None:
    if int(n) != n or n < 2:
        raise ValueError(f"n: a subgroup size must be an integer of at least 2, got {n}")


def _range_sf(w: float, n: int) -> float:
    """P(W > w) for the range W of n standard normal observations.

    P(W ≤ w) = n ∫ φ(x) [Φ(x + w) − Φ(x)]^(n−1) dx (Tippett, Biometrika 17, 1925).
    """
    inner = _PHI * (special.ndtr(_X + w) - special.ndtr(_X)) ** (n - 1)
    return 1.0 - n * float(integrate.simpson(inner, x=_X))


@lru_cache(maxsize=256)
def _range_moments(n: int) -> tuple[float, float]:
    """E(W) and E(W²) of the relative range W = R/σ, by E(W^k) = k ∫ w^(k−1) P(W > w) dw."""
    first = integrate.quad(_range_sf, 0.0, np.inf, args=(n,), epsabs=1e-11)[0]
    second = 2.0 * integrate.quad(lambda w: w * _range_sf(w, n), 0.0, np.inf, epsabs=1e-11)[0]
    return first, second


def d2(n: int) -> float:
    """Mean of the relative range R/σ of n normal observations (dimensionless).

    Source: Tippett (1925), Biometrika 17; tabulated in Montgomery, 7th ed., Appendix VI.
    """
    _check_size(n)
    return _range_moments(int(n))[0]


def d3(n: int) -> float:
    """Standard deviation of the relative range R/σ of n normal observations (dimensionless).

    Source: Montgomery, 7th ed., §6.2.1 (σ_R = d3 σ) and Appendix VI.
    """
    _check_size(n)
    mean, second = _range_moments(int(n))
    return math.sqrt(second - mean * mean)


def c4(n: int) -> float:
    """E(s)/σ for the sample standard deviation s of n normal observations (dimensionless).

    c4 = √(2/(n−1)) Γ(n/2) / Γ((n−1)/2) (Montgomery, 7th ed., §6.3.1).
    """
    _check_size(n)
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


@dataclass(frozen=True)
class Factors:
    """Every factor for subgroups of ``n``, each derived from d2, d3 and c4.

    Montgomery, 7th ed., §6.2.1 (A2, D3, D4), §6.3.1 (A3, B3, B4) and Appendix VI
    (A, B5, B6, D1, D2: limits from a given standard σ).
    """

    n: int
    d2: float
    d3: float
    c4: float
    A: float  # the textbook's symbols, case and all
    A2: float
    A3: float
    B3: float
    B4: float
    B5: float
    B6: float
    D1: float
    D2: float
    D3: float
    D4: float


@lru_cache(maxsize=256)
def factors(n: int) -> Factors:
    """All control-chart factors for subgroups of ``n`` (three-sigma limits)."""
    _d2, _d3, _c4 = d2(n), d3(n), c4(n)
    spread_s = 3.0 * math.sqrt(1.0 - _c4 * _c4)
    return Factors(
        n=int(n),
        d2=_d2,
        d3=_d3,
        c4=_c4,
        A=3.0 / math.sqrt(n),
        A2=3.0 / (_d2 * math.sqrt(n)),
        A3=3.0 / (_c4 * math.sqrt(n)),
        B3=max(0.0, 1.0 - spread_s / _c4),
        B4=1.0 + spread_s / _c4,
        B5=max(0.0, _c4 - spread_s),
        B6=_c4 + spread_s,
        D1=max(0.0, _d2 - 3.0 * _d3),
        D2=_d2 + 3.0 * _d3,
        D3=max(0.0, 1.0 - 3.0 * _d3 / _d2),
        D4=1.0 + 3.0 * _d3 / _d2,
    )
