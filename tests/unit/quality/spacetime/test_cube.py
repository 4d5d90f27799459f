"""A long table of observations becomes a (slices x locations) cube."""

import pandas as pd
import pytest

from qcert.quality.spacetime.cube import cube_from_frame

ROWS = pd.DataFrame(
    {
        "line": ["L2", "L1", "L1", "L2", "L1"],
        "week": ["2026-W02", "2026-W01", "2026-W01", "2026-W01", "2026-W02"],
        "defects": [4, 1, 2, 3, 5],
    }
)


def test_rows_are_summed_per_cell_and_slices_sorted():
    cube = cube_from_frame(ROWS, location="line", time="week", value="defects")
    assert cube.slices == ("2026-W01", "2026-W02")
    assert cube.locations == ("L1", "L2")
    # W01: L1 = 1 + 2, L2 = 3; W02: L1 = 5, L2 = 4.
    assert cube.values.tolist() == [[3.0, 3.0], [5.0, 4.0]]


def test_a_gap_is_an_error_unless_a_fill_is_given():
    partial = ROWS[ROWS["line"].ne("L2") | ROWS["week"].ne("2026-W02")]
    with pytest.raises(ValueError, match=r"^defects: no value for line 'L2' at week '2026-W02'"):
        cube_from_frame(partial, location="line", time="week", value="defects")
    cube = cube_from_frame(partial, location="line", time="week", value="defects", fill=0)
    assert cube.values.tolist() == [[3.0, 3.0], [5.0, 0.0]]


def test_a_missing_column_or_a_word_for_a_number_is_refused():
    with pytest.raises(ValueError, match=r"^site: no such column"):
        cube_from_frame(ROWS, location="site", time="week", value="defects")
    bad = ROWS.assign(defects=["4", "x", "2", "3", "5"])
    with pytest.raises(ValueError, match=r"^defects: row 1 is not a number"):
        cube_from_frame(bad, location="line", time="week", value="defects")
