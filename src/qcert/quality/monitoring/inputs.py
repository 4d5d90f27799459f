"""Checks on the readings a monitor is given, with errors that say what was expected and what came.

Readings are a 2-D array or a pandas data frame (rows = readings in time order, columns =
variables). A frame's column names are the variables' names: a monitor fitted on a frame
records them (``feature_names_in_``, as scikit-learn does) and refuses a frame whose columns
differ or come in another order. A plain array is taken column by column, by position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..inputs_error import InputError

__all__ = ["MonitorInputError", "autoscale", "feature_names", "matrix", "windows"]

Array = NDArray[np.float64]


class MonitorInputError(InputError):
    """Readings a monitor cannot take; ``str(err)`` is the English message, ``zh`` the Chinese.

    The message starts with the argument's name (``X:``, ``reading:``) and says what was
    expected and what came.
    """


def feature_names(X: object) -> NDArray[np.object_] | None:
    """The column names of a data frame when all are text, else None (scikit-learn's rule)."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    return names if names.size and all(isinstance(n, str) for n in names) else None


def _label(names: Sequence[object] | None, j: int) -> str:
    return repr(str(names[j])) if names is not None else str(j)


def matrix(X: ArrayLike, name: str = "X") -> Array:
    """``X`` as a finite 2-D float array; the error names the first bad column and row."""
    names = feature_names(X)
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise MonitorInputError(
            f"{name}: sparse input is not supported; pass a dense array or data frame",
            f"{name}：不支持稀疏矩阵，请传入稠密数组或数据表",
        )
    if np.iscomplexobj(X):
        raise MonitorInputError(
            f"{name}: Complex data not supported; readings are real numbers",
            f"{name}：不支持复数，读数须为实数",
        )
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        A = np.asarray(X, dtype=object)
        column = _non_numeric_column(A)
        raise MonitorInputError(
            f"{name}: column {_label(names, column)} holds values that are not numbers",
            f"{name}：第 {_label(names, column)} 列含有非数值",
        ) from None
    if A.ndim != 2:
        raise MonitorInputError(
            f"{name}: must be a 2-D array (readings x variables), got {A.ndim} dimension(s)",
            f"{name}：须为二维数组（读数 × 变量），实际为 {A.ndim} 维",
        )
    if A.shape[1] == 0:
        raise MonitorInputError(
            f"{name}: 0 feature(s) (shape={A.shape}) while a minimum of 1 is required.",
            f"{name}：没有变量列（形状 {A.shape}），至少需要 1 列",
        )
    bad = ~np.isfinite(A)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise MonitorInputError(
            f"{name}: row {row + 1}, column {_label(names, column)} is NaN or infinite",
            f"{name}：第 {row + 1} 行、第 {_label(names, column)} 列为 NaN 或无穷大",
        )
    return A


def _non_numeric_column(A: NDArray[np.object_]) -> int:
    if A.ndim != 2:
        return 0
    for j in range(A.shape[1]):
        try:
            np.asarray(A[:, j], dtype=float)
        except (TypeError, ValueError):
            return j
    return 0


def check_names(X: object, fitted: NDArray[np.object_] | None, name: str = "X") -> None:
    """Refuse a frame whose columns are not the fitted ones, in the fitted order."""
    given = feature_names(X)
    if fitted is None or given is None or list(given) == list(fitted):
        return
    missing = [str(c) for c in fitted if c not in set(given)]
    extra = [str(c) for c in given if c not in set(fitted)]
    if missing or extra:
        en = f"{name}: columns differ from those fitted on: missing {missing or 'none'}, "
        en += f"unexpected {extra or 'none'}"
        zh = f"{name}：列名与拟合时不同：缺少 {missing or '无'}，多出 {extra or '无'}"
    else:
        en = f"{name}: columns are in another order; expected {[str(c) for c in fitted]}"
        zh = f"{name}：列的顺序与拟合时不同，应为 {[str(c) for c in fitted]}"
    raise MonitorInputError(en, zh)


def check_width(A: Array, expected: int, name: str = "X", monitor: str = "the monitor") -> None:
    """Refuse readings with another number of variables than the monitor was fitted on."""
    if A.shape[1] != expected:
        raise MonitorInputError(
            f"{name} has {A.shape[1]} features, but {monitor} is expecting {expected} features "
            "as input (the columns it was fitted on)",
            f"{name}：有 {A.shape[1]} 列，监控模型按 {expected} 列拟合",
        )


def check_same_width(segments: list[Array]) -> None:
    """Refuse runs of readings that do not all have the first run's number of variables."""
    for i, s in enumerate(segments[1:], 2):
        if s.shape[1] != segments[0].shape[1]:
            raise MonitorInputError(
                f"X: run {i} has {s.shape[1]} columns, run 1 has {segments[0].shape[1]}",
                f"X：第 {i} 段数据有 {s.shape[1]} 列，第 1 段有 {segments[0].shape[1]} 列",
            )


def check_rows(A: Array, lags: int, name: str = "X") -> None:
    """A window of ``lags + 1`` readings is the least a monitor with ``lags`` lags can score."""
    if A.shape[0] <= lags:
        raise MonitorInputError(
            f"{name}: {A.shape[0]} reading(s); a monitor with lags={lags} needs at least "
            f"{lags + 1} to score one",
            f"{name}：仅 {A.shape[0]} 条读数；滞后阶数 {lags} 的模型至少需要 {lags + 1} 条",
        )


def autoscale(X: Array) -> tuple[Array, Array, Array]:
    """Readings minus their mean, divided by their standard deviation (ddof 1); mean, scale."""
    if X.shape[0] < 3:
        raise MonitorInputError(
            f"X: needs at least 3 readings, got {X.shape[0]} sample(s)",
            f"X：至少需要 3 条读数，实际 {X.shape[0]} 条",
        )
    mean, scale = X.mean(axis=0), X.std(axis=0, ddof=1)
    constant = np.flatnonzero(scale == 0.0)
    if constant.size:
        raise MonitorInputError(
            f"X: column {int(constant[0])} is constant and cannot be autoscaled",
            f"X：第 {int(constant[0])} 列为常数，无法标准化",
        )
    return (X - mean) / scale, mean, scale


def windows(Z: Array, lags: int) -> Array:
    """Row t − lags holds [z_t, z_{t−1}, …, z_{t−lags}] (Ku, Storer & Georgakis 1995)."""
    n = Z.shape[0]
    return np.hstack([Z[lags - j : n - j] for j in range(lags + 1)])
