"""Run one indicator on a hand-built world on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest

from qcert.supervision.analytics import INDICATORS
from qcert.supervision.analytics.scan import duckdb

from .world import AS_OF, World


def fired(world: World, indicator: str, as_of=AS_OF) -> pd.DataFrame:
    """The rows of ``indicator`` on ``world`` (DuckDB), sorted by entity and day."""
    tables = duckdb(world.tables())
    frame = INDICATORS[indicator](tables, as_of).to_pyarrow().to_pandas()
    return frame.sort_values(["entity_id", "day"]).reset_index(drop=True)


@pytest.fixture
def run():
    return fired
