"""``qcert quality monitor``: normal and new readings in, the alarm and its variables out."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from qcert.cli import quality_monitor
from qcert.cli.main import app
from tests.shared_data import shared_data

TEP = shared_data("tep")
COLUMNS = ["flow", "temperature", "pressure", "level", "speed"]
SHIFT_AT = 150


def _readings(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Five variables on two autocorrelated factors; ``pressure`` moves by ``shift``."""
    rng = np.random.default_rng(seed)
    f = np.zeros((n, 2))
    for t in range(1, n):
        f[t] = 0.7 * f[t - 1] + rng.standard_normal(2)
    mixing = np.array([[1.0, 0.6, 0.4, 0.0, 0.8], [0.0, 0.5, -0.6, 1.0, 0.3]])
    X = f @ mixing + 0.3 * rng.standard_normal((n, 5))
    X[SHIFT_AT:, 2] += shift
    frame = pd.DataFrame(X, columns=COLUMNS)
    frame.insert(0, "time", pd.date_range("2026-03-01", periods=n, freq="1min").astype(str))
    return frame


@pytest.fixture
def files(tmp_path):
    normal, faulty = tmp_path / "normal.csv", tmp_path / "faulty.csv"
    _readings(600, seed=1).drop(columns="time").to_csv(normal, index=False)
    _readings(300, seed=2, shift=3.0).to_csv(faulty, index=False)
    return normal, faulty


def run(*args):
    return CliRunner().invoke(app, ["quality", "monitor", *map(str, args)])


@pytest.mark.parametrize("method", ["pca", "dpca", "cva"])
def test_json_names_the_alarm_its_time_and_the_moved_variable(files, method):
    normal, faulty = files
    result = run(faulty, "--normal", normal, "--method", method, "--time", "time", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    alarm = report["alarm"]
    assert SHIFT_AT + 1 <= alarm["reading"] <= SHIFT_AT + 5
    assert alarm["raised_at_reading"] == alarm["reading"] + 2  # 3 in a row
    minutes = pd.Timedelta(minutes=alarm["reading"] - 1)
    assert alarm["time"] == str(pd.Timestamp("2026-03-01") + minutes)
    assert alarm["top"][0]["variable"] == "pressure"
    assert report["readings"] == 300 and report["normal_readings"] == 600
    assert all(s["limit"] > 0 for s in report["statistics"].values())


def test_sizes_given_or_selected(files):
    normal, faulty = files
    given = json.loads(run(faulty, "--normal", normal, "--method", "cva", "--lags", 1,
                           "--states", 2, "--time", "time", "--json").output)  # fmt: skip
    assert given["params"] == {"lags": 1, "n_states": 2}
    chosen = json.loads(
        run(
            faulty, "--normal", normal, "--method", "dpca", "--select", "--time", "time", "--json"
        ).output
    )
    assert chosen["params"]["lags"] >= 1 and chosen["params"]["n_components"] >= 1


def test_text_output_is_bilingual_and_quiet_data_raise_nothing(files, tmp_path):
    normal, faulty = files
    result = run(faulty, "--normal", normal, "--time", "time", "--method", "pca")
    assert result.exit_code == 0, result.output
    assert "top contributing variables / 主要贡献变量:" in result.output
    assert "  1. pressure" in result.output
    # the statistics table's header in each language, on a line of its own
    lines = result.output.splitlines()
    assert lines[1].split() == ["statistic", "limit", "max", "mean", "over", "limit"]
    assert lines[2].split() == ["统计量", "控制限", "最大值", "均值", "超限"]
    quiet = tmp_path / "quiet.csv"
    _readings(100, seed=3).to_csv(quiet, index=False)
    result = run(quiet, "--normal", normal, "--time", "time", "--persistence", 5, "--json")
    assert json.loads(result.output)["alarm"] is None


def test_bad_files_are_named(files, tmp_path, monkeypatch):
    normal, faulty = files
    frame = pd.read_csv(faulty)
    frame.drop(columns="level").to_csv(tmp_path / "short.csv", index=False)
    result = run(tmp_path / "short.csv", "--normal", normal, "--time", "time")
    assert result.exit_code == 1
    assert "missing level, unexpected none" in result.output and "缺少" in result.output
    text = frame.astype({"speed": object})
    text.loc[6, "speed"] = "fast"
    text.to_csv(tmp_path / "text.csv", index=False)
    result = run(tmp_path / "text.csv", "--normal", normal, "--time", "time")
    assert result.exit_code == 1 and "column speed, line 8: not a number" in result.output
    assert "第 8 行 speed 列不是数值" in result.output
    result = run(faulty, "--normal", normal)  # the time column is not a variable
    assert result.exit_code == 1 and "unexpected time" in result.output
    frame.head(2).to_csv(tmp_path / "two.csv", index=False)
    result = run(tmp_path / "two.csv", "--normal", normal, "--time", "time", "--lags", 2)
    assert result.exit_code == 1 and "needs at least 3" in result.output
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00garbage")
    result = run(tmp_path / "binary.csv", "--normal", normal)
    assert result.exit_code == 1 and "not a readable CSV" in result.output
    monkeypatch.setattr(quality_monitor, "MAX_BYTES", 1000)
    result = run(faulty, "--normal", normal, "--time", "time")
    assert result.exit_code == 1 and "larger than 1000 bytes" in result.output
    monkeypatch.setattr(quality_monitor, "MAX_BYTES", 10**9)
    monkeypatch.setattr(quality_monitor, "MAX_ROWS", 100)
    result = run(faulty, "--normal", tmp_path / "two.csv")
    assert result.exit_code == 1 and "more than 100 readings" in result.output


def test_the_tep_a_feed_loss_alarms_after_the_fault_starts(tmp_path):
    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    names = [f"v{i}" for i in range(52)]
    pd.DataFrame(np.loadtxt(TEP / "d00.dat").T, columns=names).to_csv(tmp_path / "n.csv", index=0)
    pd.DataFrame(np.loadtxt(TEP / "d06_te.dat"), columns=names).to_csv(tmp_path / "f.csv", index=0)
    result = run(tmp_path / "f.csv", "--normal", tmp_path / "n.csv", "--lags", 2, "--states", 20,
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert 161 <= report["alarm"]["reading"] <= 165  # the fault starts at reading 161
    assert report["statistics"]["t2_residual"]["share_over_limit"] > 0.8
