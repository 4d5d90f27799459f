"""``qcert quality causes``: normal and faulty readings and a graph in, ranked causes out."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from qcert.quality.causality import tep_graph
from tests.shared_data import shared_data

TEP = shared_data("tep")
GRAPH = """
name: chain
variables:
  - {id: a, name: "A inlet flow", unit: "m3/h", column: 0}
  - {id: b, name: "B temperature", unit: "degC", column: 1}
  - {id: c, name: "C pressure", unit: "kPa", column: 2}
edges:
  - {from: a, to: [b]}
  - {from: b, to: [c]}
"""
BREAK = 300


def _chain(n: int, seed: int, offset: float = 0.0) -> pd.DataFrame:
    """a -> b -> c; from BREAK an unmeasured input adds ``offset`` to b; c moves 3x as much."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 3))
    for t in range(1, n):
        a = 0.7 * X[t - 1, 0] + rng.normal()
        b = 0.8 * a + 0.3 * X[t - 1, 1] + 0.3 * rng.normal() + (offset if t >= BREAK else 0.0)
        X[t] = a, b, 3.0 * b + 0.3 * rng.normal()
    return pd.DataFrame(X, columns=["a", "b", "c"])


@pytest.fixture
def files(tmp_path):
    graph = tmp_path / "chain.yaml"
    graph.write_text(GRAPH, encoding="utf-8")
    normal, faulty = tmp_path / "normal.csv", tmp_path / "faulty.csv"
    _chain(600, seed=1).to_csv(normal, index=False)
    _chain(450, seed=2, offset=1.5).to_csv(faulty, index=False)
    return graph, normal, faulty


def run(*args):
    return CliRunner().invoke(app, ["quality", "causes", *map(str, args)])


def test_json_ranks_the_broken_mechanism_first(files):
    graph, normal, faulty = files
    result = run(faulty, "--normal", normal, "--graph", graph, "--alarm", BREAK + 1, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["alarm_reading"] == BREAK + 1
    assert report["first_deviating"] == ["b"]
    first = report["candidates"][0]
    assert first["variable"] == "b" and first["name"] == "B temperature"
    assert BREAK + 1 <= first["first_deviation_reading"] <= BREAK + 6
    assert [c["variable"] for c in report["candidates"]] == ["b", "a"]  # c is downstream


def test_the_alarm_is_found_when_not_given_and_the_text_is_bilingual(files):
    graph, normal, faulty = files
    result = run(faulty, "--normal", normal, "--graph", graph)
    assert result.exit_code == 0, result.output
    assert "likely root causes (chain)" in result.output and "可能根因（chain）" in result.output
    assert " 1. B temperature [b]  score " in result.output
    candidate = next(line for line in result.output.splitlines() if line.startswith(" 1. "))
    assert "得分" in candidate and "证据" in candidate
    assert "deviated at reading " in candidate and "条读数起偏离" in candidate
    reading = int(result.output.split("alarm at reading ")[1].split(",")[0])
    assert BREAK < reading <= BREAK + 40


def test_bad_input_is_named(files, tmp_path):
    graph, normal, faulty = files
    frame = pd.read_csv(faulty)
    frame.drop(columns=["c"]).to_csv(tmp_path / "no_c.csv", index=False)
    result = run(tmp_path / "no_c.csv", "--normal", normal, "--graph", graph)
    assert result.exit_code == 1 and "missing column(s) c" in result.output
    frame = frame.astype({"b": object})
    frame.loc[4, "b"] = "hot"
    frame.to_csv(tmp_path / "text.csv", index=False)
    result = run(tmp_path / "text.csv", "--normal", normal, "--graph", graph)
    assert result.exit_code == 1 and "column b, line 6: not a number" in result.output
    (tmp_path / "bad.yaml").write_text("variables: []\n", encoding="utf-8")
    result = run(faulty, "--normal", normal, "--graph", tmp_path / "bad.yaml")
    assert result.exit_code == 1 and "variables: at least one variable" in result.output
    result = run(faulty, "--normal", normal, "--graph", graph, "--alarm", 9999)
    assert result.exit_code == 1 and "alarm: reading 9999 is past the 450" in result.output
    result = run(normal, "--normal", normal, "--graph", graph)
    assert result.exit_code == 1 and "pass --alarm" in result.output


def test_the_tep_graph_finds_the_a_feed_loss(tmp_path):
    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI"):
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    ids = list(tep_graph().by_column())
    pd.DataFrame(np.loadtxt(TEP / "d00.dat").T, columns=ids).to_csv(tmp_path / "n.csv", index=0)
    pd.DataFrame(np.loadtxt(TEP / "d06_te.dat"), columns=ids).to_csv(tmp_path / "f.csv", index=0)
    result = run(tmp_path / "f.csv", "--normal", tmp_path / "n.csv", "--top", 2, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert 161 <= report["alarm_reading"] <= 170
    assert {c["variable"] for c in report["candidates"]} == {"xmeas1", "xmv3"}


@pytest.mark.parametrize("fault", [1, 4, 6, 11])
def test_the_command_line_ranks_as_the_library_does_in_the_benchmark(tmp_path, fault):
    """bench/tep_rootcause.py's call: PCA (9 components) alarm searched from reading 161 with
    3 in a row, mechanism lags 4, 80 readings weighed, first deviations from 10 before."""
    from qcert.quality.causality import rank_root_causes
    from qcert.quality.mechanism import MechanismModel
    from qcert.quality.monitoring import PCAMonitor, first_alarm

    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI"):
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    graph = tep_graph()
    ids = list(graph.by_column())
    train, X = np.loadtxt(TEP / "d00.dat").T, np.loadtxt(TEP / f"d{fault:02d}_te.dat")
    alarm = first_alarm(PCAMonitor(9, 0.99).fit(train).score(X), 3, 160)
    mechanism = MechanismModel(graph, lags=4).fit(train, ids)
    evidence = mechanism.contributions(X)[alarm : alarm + 80]
    times = mechanism.first_deviations(X, alarm - 10, alarm + 80)
    library = [c.variable for c in rank_root_causes(evidence, times, graph, ids)[:5]]

    pd.DataFrame(train, columns=ids).to_csv(tmp_path / "n.csv", index=False)
    pd.DataFrame(X, columns=ids).to_csv(tmp_path / "f.csv", index=False)
    result = run(tmp_path / "f.csv", "--normal", tmp_path / "n.csv", "--components", 9,
                 "--from", 161, "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["alarm_reading"] == alarm + 1
    assert [c["variable"] for c in report["candidates"]] == library


def test_a_lone_false_alarm_before_the_fault_is_not_diagnosed(files, tmp_path):
    graph, normal, faulty = files
    frame = pd.read_csv(faulty)
    frame.loc[100, "c"] += 40.0  # one wild reading, long before the break
    frame.to_csv(tmp_path / "spike.csv", index=False)
    result = run(tmp_path / "spike.csv", "--normal", normal, "--graph", graph, "--json")
    assert result.exit_code == 0, result.output
    assert BREAK < json.loads(result.output)["alarm_reading"] <= BREAK + 40
