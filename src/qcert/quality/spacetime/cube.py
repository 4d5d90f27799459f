"""A space-time cube from a long table: one row per slice, one column per location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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
        raise ValueError(f"{missing[0]}: no such column in the table")
    numbers = pd.to_numeric(frame[value], errors="coerce")
    if numbers.isna().any():
        raise ValueError(f"{value}: row {int(numbers.isna().to_numpy().argmax())} is not a number")
    wide = (
        frame.assign(**{value: numbers})
        .pivot_table(index=time, columns=location, values=value, aggfunc=aggregate)
        .sort_index()
    )
    if fill is not None:
        wide = wide.fillna(fill)
    elif wide.isna().any().any():
        slot, where = np.argwhere(wide.isna().to_numpy())[0]
        raise ValueError(
            f"{value}: no value for {location} {wide.columns[where]!r} at {time} "
            f"{wide.index[slot]!r} (give a fill value: 0 for counts)"
        )
    return Cube(
        slices=tuple(wide.index),
        locations=tuple(wide.columns),
        values=wide.to_numpy(dtype=float),
    )
