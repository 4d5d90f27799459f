"""A space-time cube from a long table: one row per slice, one column per location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..inputs_error import InputError

__all__ = ["Cube", "cube_from_frame"]


@dataclass(frozen=True, eq=False)
class Cube:
    """``values`` is (len(slices), len(locations)), slices sorted oldest first."""

    slices: tuple[Any, ...]
    locations: tuple[Any, ...]
    values: NDArray[np.float64]


def cube_from_frame(
    frame: pd.DataFrame,
    *,
    location: str,
    time: str,
    value: str,
    aggregate: Literal["sum", "mean"] = "sum",
    fill: float | None = None,
) -> Cube:
    """Pivot a long table (one row per observation) into a cube.

    Rows sharing a location and a slice are combined by ``aggregate`` (``sum`` for counts,
    ``mean`` for measurements). A location without a value in some slice takes ``fill``
    (0 suits counts); with ``fill`` None such a gap is an error naming the cell, since the
    statistics here need a complete cube.
    """
    missing = [c for c in (location, time, value) if c not in frame.columns]
    if missing:
        raise InputError(
            f"{missing[0]}: no such column in the table", f"表中没有 {missing[0]!r} 列"
        )
    numbers = pd.to_numeric(frame[value], errors="coerce")
    if numbers.isna().any():
        row = int(numbers.isna().to_numpy().argmax())
        raise InputError(
            f"{value}: row {row} is not a number", f"{value!r} 列序号 {row} 的行不是数值"
        )
    wide = (
        frame.assign(**{value: numbers})
        .pivot_table(index=time, columns=location, values=value, aggfunc=aggregate)
        .sort_index()
    )
    if fill is not None:
        wide = wide.fillna(fill)
    elif wide.isna().any().any():
        slot, where = np.argwhere(wide.isna().to_numpy())[0]
        raise InputError(
            f"{value}: no value for {location} {wide.columns[where]!r} at {time} "
            f"{wide.index[slot]!r} (give a fill value: 0 for counts)",
            f"{value!r} 列：位置 {wide.columns[where]!r} 在时间片 {wide.index[slot]!r} 没有数值"
            "（请给出填补值 --fill，计数数据用 0）",
        )
    return Cube(
        slices=tuple(wide.index),
        locations=tuple(wide.columns),
        values=wide.to_numpy(dtype=float),
    )
