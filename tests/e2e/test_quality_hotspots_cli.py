"""``qcert quality hotspots``: a CSV of counts per line and shift in, patterns and clusters out."""

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qcert.cli.main import app

SIDE = 6
PLUS = {"L14", "L08", "L13", "L15", "L20"}  # line (2, 2) and its four neighbours


@pytest.fixture
def counts_csv(tmp_path):
    """Defects per line (6 x 6 grid, 1 m apart) and shift (12), rising in the plus for the
    last three shifts (about 3x the rate)."""
    rng = np.random.default_rng(21)
    rate = np.outer(np.linspace(1.0, 1.3, 12), rng.uniform(3.0, 5.0, SIDE * SIDE))
    for name in PLUS:
        rate[-3:, int(name[1:])] *= 3.0
    counts = rng.poisson(rate)
    path = tmp_path / "defects.csv"
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["line", "shift", "defects", "x", "y"])
        for t in range(12):
            for i in range(SIDE * SIDE):
                out.writerow([f"L{i:02d}", f"S{t + 1:02d}", counts[t, i], i // SIDE, i % SIDE])
    return path


def run(*args):
    return CliRunner().invoke(app, ["quality", "hotspots", *map(str, args)])


COLUMNS = ("--location", "line", "--time", "shift", "--value", "defects", "--distance", 1)


def test_json_names_the_emerging_hot_spot_and_the_cluster(counts_csv):
    result = run(counts_csv, *COLUMNS, "--scan", "--replications", 199, "--seed", 5, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    centre = next(r for r in report["locations"] if r["location"] == "L14")
    assert centre["pattern"] == "consecutive_hot_spot"
    assert centre["zh"] == "连续热点"
    top = report["scan"]["clusters"][0]
    assert set(top["locations"]) == PLUS
    assert (top["start"], top["end"]) == ("S10", "S12")
    assert top["significant"] and top["p_value"] == pytest.approx(1 / 200)


def test_text_output_in_both_languages(counts_csv):
    result = run(counts_csv, *COLUMNS, "--scan", "--replications", 99, "--seed", 5)
    assert result.exit_code == 0, result.output
    assert "consecutive hot spot / 连续热点" in result.output
    assert "cluster L14, " in result.output and "聚集 L14、" in result.output
    assert "S10 … S12, observed 257 vs expected 153.9" in result.output
    assert "S10 … S12，观测 257，期望 153.9" in result.output
    assert "36 locations × 12 slices (S01 … S12) / 36 个位置 × 12 个时间片" in result.output


def test_a_missing_coordinate_column_is_one_line_error(counts_csv):
    result = run(counts_csv, *COLUMNS, "--x", "easting")
    assert result.exit_code == 1
    assert "error / 错误: easting: no such column in the table (coordinates)" in result.output
