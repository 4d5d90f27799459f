"""Risk that a certified organisation fails its next sampling inspection: a calibrated model.

One row of history per organisation and period; the outcome is whether the next sampling
inspection (product sampling or unannounced audit) failed. The model is a logistic regression
on standardised features (Hosmer, Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd
ed., 2013, ch. 1-2), its probabilities recalibrated by Platt scaling on cross-validated
folds (scikit-learn ``CalibratedClassifierCV(method="sigmoid")``; Platt 1999; Niculescu-Mizil
& Caruana, ICML 2005). The explanation of one row is exact for the linear model: on the log-odds
scale the contribution of a feature is its coefficient times its standardised value, and the
contributions plus the intercept sum to the model's log-odds (one-hot columns of a category
are summed into their feature). Calibration is checked by the Brier score (Brier 1950,
Monthly Weather Review 78:1-3) and reliability bins (Murphy & Winkler 1977).

No inspection outcomes exist in this project's data, so :func:`synthetic_history` generates
them from a stated generative model; it is there to test that the method recovers known
effects, not to claim anything about real organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = [
    "CATEGORICAL",
    "FEATURES",
    "NUMERIC",
    "PLANTED",
    "Calibration",
    "Explanation",
    "RiskModel",
    "calibration",
    "synthetic_history",
]

NUMERIC: tuple[str, ...] = (
    "open_major_ncs",  # open major nonconformities at period end (count)
    "ncs_per_audit",  # nonconformities raised per audit in the period (count / audit)
    "suspensions",  # suspensions in the last three years (count)
    "days_overdue",  # days the surveillance audit is overdue (days)
    "cpk_min",  # lowest Cpk among the key characteristics (dimensionless)
    "alarm_rate",  # multivariate process alarms per 1000 readings
)
CATEGORICAL: tuple[str, ...] = ("sector", "size")
FEATURES: tuple[str, ...] = NUMERIC + CATEGORICAL
TARGET = "failed_next"

# Labels of each feature as (zh-CN, en), for reports.
LABELS: dict[str, tuple[str, str]] = {
    "open_major_ncs": ("未关闭严重不符合项", "Open major nonconformities"),
    "ncs_per_audit": ("每次审核不符合项数", "Nonconformities per audit"),
    "suspensions": ("近三年暂停次数", "Suspensions (3 years)"),
    "days_overdue": ("监督审核逾期天数", "Days surveillance overdue"),
    "cpk_min": ("关键特性最低 Cpk", "Lowest Cpk of key characteristics"),
    "alarm_rate": ("过程报警率（每千读数）", "Process alarms per 1000 readings"),
    "sector": ("行业", "Sector"),
    "size": ("规模", "Size"),
}

# The generative model of synthetic_history, on the log-odds scale (per unit of each feature).
PLANTED: dict[str, float] = {
    "intercept": -2.6,
    "open_major_ncs": 0.7,
    "ncs_per_audit": 0.3,
    "suspensions": 0.9,
    "days_overdue": 0.015,
    "cpk_min": -2.5,  # applied to (cpk_min − 1.33)
    "alarm_rate": 0.01,
}
SECTOR_EFFECT: dict[str, float] = {"food": 0.4, "chemicals": 0.3, "electronics": 0.0}
SIZES: tuple[str, ...] = ("small", "medium", "large")  # planted: no effect


def synthetic_history(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` organisation-periods drawn from a documented generative model (synthetic data).

    Features: open major NCs ~ Poisson(0.5); NCs per audit ~ Gamma(2, 1); suspensions ~
    Poisson(0.2); days overdue = 0 with probability 0.7, else Exponential(mean 30 days);
    lowest Cpk ~ Normal(1.33, 0.3); alarm rate ~ Gamma(1.5, 40) per 1000 readings; sector and
    size uniform over their levels. Outcome: Bernoulli(logistic(η)) with η = the
    :data:`PLANTED` coefficients times the features (Cpk centred at 1.33) plus
    :data:`SECTOR_EFFECT`; size has no effect. Columns: :data:`FEATURES` and ``failed_next``.
    """
    if n < 1:
        raise ValueError("n: must be at least 1")
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "open_major_ncs": rng.poisson(0.5, n).astype(float),
            "ncs_per_audit": rng.gamma(2.0, 1.0, n),
            "suspensions": rng.poisson(0.2, n).astype(float),
            "days_overdue": np.where(rng.random(n) < 0.7, 0.0, rng.exponential(30.0, n)),
            "cpk_min": rng.normal(1.33, 0.3, n),
            "alarm_rate": rng.gamma(1.5, 40.0, n),
            "sector": rng.choice(sorted(SECTOR_EFFECT), n),
            "size": rng.choice(SIZES, n),
        }
    )
    eta = np.full(n, PLANTED["intercept"])
    for name in NUMERIC:
        shift = 1.33 if name == "cpk_min" else 0.0
        eta += PLANTED[name] * (frame[name].to_numpy() - shift)
    eta += frame["sector"].map(SECTOR_EFFECT).to_numpy()
    frame[TARGET] = rng.random(n) < 1.0 / (1.0 + np.exp(-eta))
    return frame


@dataclass(frozen=True)
class Explanation:
    """Why one row got its risk: log-odds contributions of each feature (linear model).

    ``contributions`` maps each feature to coefficient × standardised value (log-odds units),
    ``intercept`` is the log-odds of an average row; they sum to ``log_odds``. ``probability``
    is the calibrated probability, which may differ slightly from logistic(log_odds).
    """

    probability: float
    log_odds: float
    intercept: float
    contributions: dict[str, float]

    def top(self, k: int = 3, least: float = 0.1) -> list[tuple[str, float]]:
        """The ``k`` features raising the log-odds most, by at least ``least``; largest first."""
        ranked = sorted(self.contributions.items(), key=lambda kv: kv[1], reverse=True)
        return [(name, value) for name, value in ranked[:k] if value >= least]


@dataclass(frozen=True)
class Calibration:
    """Held-out checks: Brier score against the base rate's, AUC, and reliability bins.

    ``bins`` holds (mean predicted, observed rate, count) per equal-count bin;
    ``ece`` is the count-weighted mean |predicted − observed| (expected calibration error).
    """

    brier: float
    brier_base_rate: float
    auc: float
    bins: tuple[tuple[float, float, int], ...]
    ece: float

    @property
    def skill(self) -> float:
        """Brier skill score 1 − Brier / Brier of the base rate (Murphy 1973); > 0 is better."""
        return 1.0 - self.brier / self.brier_base_rate


def _preprocess() -> ColumnTransformer:
    categories = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [("numeric", "passthrough", list(NUMERIC)), ("category", categories, list(CATEGORICAL))]
    )


class RiskModel:
    """Calibrated logistic risk model: ``RiskModel().fit(history).predict_proba(rows)``."""

    def __init__(self, folds: int = 5, C: float = 1.0) -> None:
        self.folds, self.C = folds, C

    def _pipeline(self) -> Pipeline:
        return make_pipeline(_preprocess(), StandardScaler(), LogisticRegression(C=self.C))

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit on rows with :data:`FEATURES` and the boolean outcome ``failed_next``."""
        missing = [c for c in (*FEATURES, TARGET) if c not in history.columns]
        if missing:
            raise ValueError(f"history: missing column(s) {', '.join(missing)}")
        y = history[TARGET].astype(bool).to_numpy()
        if y.all() or not y.any():
            raise ValueError("failed_next: needs both failed and passed inspections")
        X = history[list(FEATURES)]
        self.linear_ = self._pipeline().fit(X, y)
        self.calibrated_ = CalibratedClassifierCV(
            self._pipeline(), method="sigmoid", cv=self.folds
        ).fit(X, y)
        return self

    def predict_proba(self, rows: pd.DataFrame) -> NDArray[np.float64]:
        """Calibrated probability that each row fails its next sampling inspection."""
        return self.calibrated_.predict_proba(rows[list(FEATURES)])[:, 1]

    def importance(self) -> dict[str, float]:
        """|coefficient| on the standardised scale per feature (categories: the largest level)."""
        names = self.linear_[0].get_feature_names_out()
        coef = self.linear_[-1].coef_[0]
        out: dict[str, float] = {}
        for name, c in zip(names, coef, strict=True):
            feature = _feature_of(name)
            out[feature] = max(out.get(feature, 0.0), abs(float(c)))
        return out

    def explain(self, row: pd.Series | pd.DataFrame) -> Explanation:
        """Log-odds contribution of each feature to one row's risk (coefficient × z-score)."""
        frame = row.to_frame().T if isinstance(row, pd.Series) else row.iloc[:1]
        frame = frame[list(FEATURES)].infer_objects()
        encoder, scaler, model = self.linear_[0], self.linear_[1], self.linear_[-1]
        z = scaler.transform(encoder.transform(frame))[0]
        parts = model.coef_[0] * z
        contributions: dict[str, float] = dict.fromkeys(FEATURES, 0.0)
        for name, value in zip(encoder.get_feature_names_out(), parts, strict=True):
            contributions[_feature_of(name)] += float(value)
        intercept = float(model.intercept_[0])
        return Explanation(
            probability=float(self.predict_proba(frame)[0]),
            log_odds=intercept + float(parts.sum()),
            intercept=intercept,
            contributions=contributions,
        )


def _feature_of(encoded: str) -> str:
    """``numeric__cpk_min`` → ``cpk_min``; ``category__sector_food`` → ``sector``."""
    kind, _, rest = encoded.partition("__")
    if kind == "numeric":
        return rest
    return next(c for c in CATEGORICAL if rest.startswith(c + "_"))


def calibration(y_true: ArrayLike, probability: ArrayLike, bins: int = 10) -> Calibration:
    """Brier score, base-rate Brier, AUC and ``bins`` equal-count reliability bins.

    Brier = mean (p − y)²; the base-rate forecast p̄ scores p̄(1 − p̄) (Murphy 1973, J. Applied
    Meteorology 12:595-600). Reliability: Murphy & Winkler (1977), Applied Statistics 26:41-47.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(probability, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or y.size < bins:
        raise ValueError("probability: one value per outcome, and at least one per bin")
    base = float(y.mean())
    order = np.argsort(p, kind="stable")
    table = []
    for part in np.array_split(order, bins):
        table.append((float(p[part].mean()), float(y[part].mean()), int(part.size)))
    ece = sum(abs(pred - obs) * count for pred, obs, count in table) / y.size
    return Calibration(
        brier=float(np.mean((p - y) ** 2)),
        brier_base_rate=base * (1.0 - base),
        auc=float(roc_auc_score(y, p)),
        bins=tuple(table),
        ece=float(ece),
    )
