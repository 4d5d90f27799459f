"""`qcert quality spc ...` end to end on CSV files."""

import json

from typer.testing import CliRunner

from qcert.cli.main import app
from tests.unit.quality.montgomery import ORANGE_JUICE, PISTON_RINGS, SHIFTED_MEAN

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["quality", "spc", *map(str, args)])


def rings_csv(tmp_path):
    path = tmp_path / "rings.csv"
    rows = [f"{i},{v}" for i, row in enumerate(PISTON_RINGS, start=1) for v in row]
    path.write_text("sample,diameter\n" + "\n".join(rows) + "\n")
    return path


def test_xbar_r_json_has_limits_violations_and_capability(tmp_path):
    args = ["--chart", "xbar-r", "--column", "diameter", "--subgroup", 5, "--phase1", 25]
    result = run(rings_csv(tmp_path), *args, "--lsl", 73.95, "--usl", 74.05, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    xbar = body["charts"][0]
    assert (body["chart"], body["points"], body["phase1_points"]) == ("xbar-r", 40, 25)
    assert round(xbar["upper"][0], 3) == 74.014 and round(xbar["lower"][0], 3) == 73.988
    assert xbar["beyond"] == [37, 38, 39]  # points are numbered from 1
    assert body["violations"][0]["rule"] == "nelson.5"
    assert body["violations"][0]["signal"] == 35
    cap = body["capability"]
    assert cap["quotable"] and cap["normality"]["test"] == "anderson-darling"
    assert abs(cap["cp"]["estimate"] - 1.68) < 0.03


def test_text_output_by_label_with_western_electric_rules(tmp_path):
    # no --column: the first numeric column that is not the --by labels, i.e. diameter
    args = ["--chart", "xbar-s", "--by", "sample", "--rules", "we"]
    result = run(rings_csv(tmp_path), *args, "--lsl", 73.95, "--usl", 74.05)
    assert result.exit_code == 0, result.output
    assert "X-bar/S" in result.stdout and "round 1 / 第 1 轮: 38-39" in result.stdout
    assert "we.2 xbar points 35, 37-40: " in result.stdout
    assert "we.2 xbar 第 35、37-40 点：连续 3 点中有 2 点" in result.stdout
    # the limits table's header in each language, on a line of its own, above its figures
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["chart", "LCL", "CL", "UCL", "beyond"]
    assert lines[3].split() == ["控制图", "下控制限", "中心线", "上控制限", "超限"]
    assert "(40 points / 40 个点; phase I: points 1-40 / 第一阶段：第 1-40 点)" in lines[0]
    assert "Anderson-Darling A² = 0.518, p = 0.1862 / Anderson-Darling 正态性检验" in result.stdout
    assert "capability.stability" in result.stdout and "不得引用" not in result.stdout


def test_p_chart_with_constant_size_and_cusum_alarm(tmp_path):
    juice = tmp_path / "juice.csv"
    juice.write_text("cans\n" + "\n".join(map(str, ORANGE_JUICE)) + "\n")
    body = json.loads(run(juice, "--chart", "p", "--subgroup", 50, "--json").stdout)
    assert body["rounds"][0] == [15, 23]
    shift = tmp_path / "shift.csv"
    shift.write_text("x\n" + "\n".join(map(str, SHIFTED_MEAN)) + "\n")
    # Montgomery Example 9.1: μ0 = 10, σ = 1; C⁺ signals at 29, the shift began at 23.
    result = run(shift, "--chart", "cusum", "--center", 10, "--sigma", 1)
    assert result.exit_code == 0, result.output
    assert "alarm (up) at point 29: the shift began at point 23" in result.stdout


def test_errors_are_one_line_naming_the_field(tmp_path):
    path = rings_csv(tmp_path)
    missing = run(path, "--chart", "imr", "--column", "width")
    assert missing.exit_code == 1
    assert "error / 错误: column: no column 'width'" in missing.output
    uneven = run(path, "--chart", "xbar-r", "--column", "diameter", "--subgroup", 3)
    assert uneven.exit_code == 1 and "error / 错误: subgroup: 200 values" in uneven.output
    no_sizes = run(path, "--chart", "p", "--column", "diameter")
    assert no_sizes.exit_code == 1 and "error / 错误: sizes:" in no_sizes.output
