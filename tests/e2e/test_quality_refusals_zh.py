"""``qcert quality spc``, ``hotspots`` and ``causes`` refuse bad data or options in both
languages: the Chinese line of the error says the detail in Chinese, not the English again."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from qcert.cli.main import app
from tests.e2e.test_quality_causes_cli import files  # noqa: F401 (a fixture)
from tests.e2e.test_quality_hotspots_cli import counts_csv  # noqa: F401 (a fixture)
from tests.e2e.test_refusals_zh import CJK, QUOTED, fault

LEAD = "error / 错误: "
# Three Latin words in a row outside quotes: an English phrase left in the Chinese line.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;]+[A-Za-z]{2,}){2,}")


def run(*args: object):
    return CliRunner().invoke(app, ["quality", *map(str, args)])


def told(result) -> tuple[str, str]:
    """The error's English and Chinese lines, after checking it is a two-line refusal."""
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(LEAD))
    en, zh = lines[at].removeprefix(LEAD), lines[at + 1].strip()
    return en, zh


def check_bilingual(result) -> tuple[str, str]:
    en, zh = told(result)
    assert CJK.search(zh) and fault(zh, en) is None, (en, zh)
    assert not ENGLISH.search(QUOTED.sub("", zh)), zh
    # the English detail, past its field's name, is not repeated in the Chinese line
    detail = en.split(": ", 1)[-1]
    assert detail not in zh, (en, zh)
    return en, zh


@pytest.fixture
def series(tmp_path):
    """Forty readings with labels of ten subgroups of four."""
    path = tmp_path / "series.csv"
    rows = [f"{10 + (i % 5) * 0.1},{i // 4}" for i in range(40)]
    path.write_text("x,lot\n" + "\n".join(rows) + "\n")
    return path


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


SPC_CASES = {
    "no numeric column": ("words.csv", "a\nfoo\nbar\n", ["--chart", "imr"]),
    "unknown column": (None, None, ["--chart", "imr", "--column", "width"]),
    "not a number": ("text.csv", "x\n1\n2\nabc\n4\n", ["--chart", "imr", "--column", "x"]),
    "sigma without centre": (None, None, ["--chart", "imr", "--sigma", 1]),
    "all values equal": ("flat.csv", "x\n" + "5\n" * 10, ["--chart", "ewma"]),
    "bad lambda": (None, None, ["--chart", "ewma", "--lambda", 2]),
    "too few subgroups": ("two.csv", "x\n1\n2\n", ["--chart", "xbar-r", "--subgroup", 2]),
    "a subgroup of one": (
        "lots.csv",
        "x,lot\n1,a\n2,a\n3,b\n",
        ["--chart", "xbar-r", "--by", "lot"],
    ),
    "uneven subgroups": (None, None, ["--chart", "xbar-r", "--subgroup", 3]),
    "no size or labels": (None, None, ["--chart", "xbar-s"]),
    "no sample sizes": (None, None, ["--chart", "p"]),
    "unknown by column": (None, None, ["--chart", "xbar-r", "--by", "batch"]),
    "unknown size column": (None, None, ["--chart", "u", "--size-column", "units"]),
    "limits the wrong way": (None, None, ["--chart", "imr", "--lsl", 11, "--usl", 10]),
    "negative standard": (None, None, ["--chart", "c", "--center", -1]),
    "phase1 with standards": (None, None, ["--chart", "imr", "--center", 10, "--phase1", 5]),
    "bad cusum h": (None, None, ["--chart", "cusum", "--h", 0]),
}


@pytest.mark.parametrize("case", SPC_CASES, ids=lambda c: c.replace(" ", "-"))
def test_spc_refusals_say_the_detail_in_chinese(case, series, tmp_path):
    name, text, args = SPC_CASES[case]
    path = series if name is None else write(tmp_path, name, text)
    check_bilingual(run("spc", path, *args))


def test_the_english_of_spc_refusals_is_as_before(series):
    en, zh = check_bilingual(run("spc", series, "--chart", "imr", "--column", "width"))
    assert en == "column: no column 'width'; columns: x, lot"
    assert zh == "--column：文件中没有 'width' 列；现有的列：x、lot"
    en, zh = check_bilingual(run("spc", series, "--chart", "ewma", "--lambda", 2))
    assert en == "lam: λ must be in (0, 1] and L positive"
    assert "--lambda" in zh and "--L" in zh


COLUMNS = ("--location", "line", "--time", "shift", "--value", "defects")


@pytest.mark.parametrize(
    "args",
    [
        ("--x", "easting"),
        ("--value", "nothing"),
        ("--k", 99),
        ("--alpha", 2),
        ("--distance", 1, "--scan", "--max-fraction", 2),
    ],
    ids=["coordinate-column", "value-column", "k", "alpha", "max-fraction"],
)
def test_hotspots_refusals_say_the_detail_in_chinese(counts_csv, args):  # noqa: F811
    check_bilingual(run("hotspots", counts_csv, *COLUMNS, *args))


def test_hotspots_refuses_a_coordinate_that_is_not_a_number(counts_csv, tmp_path):  # noqa: F811
    lines = counts_csv.read_text().splitlines()
    cells = lines[5].split(",")
    lines[5] = ",".join([*cells[:3], "east", cells[4]])
    path = write(tmp_path, "text.csv", "\n".join(lines) + "\n")
    en, zh = check_bilingual(run("hotspots", path, *COLUMNS, "--distance", 1))
    assert en == "x: line 6 of the file is not a number (coordinates)"
    assert zh == "坐标列 'x' 在文件第 6 行的值不是数值"


def test_causes_refusals_say_the_detail_in_chinese(files, tmp_path):  # noqa: F811
    graph, normal, faulty = files
    check_bilingual(run("causes", faulty, "--normal", normal, "--graph", graph, "--alarm", 9999))
    check_bilingual(run("causes", faulty, "--normal", normal, "--graph", graph, "--from", 9999))
    check_bilingual(run("causes", normal, "--normal", normal, "--graph", graph))
    bad = write(tmp_path, "bad.yaml", "variables: []\n")
    check_bilingual(run("causes", faulty, "--normal", normal, "--graph", bad))
    broken = write(tmp_path, "broken.yaml", "variables: [\n")
    en, zh = check_bilingual(run("causes", faulty, "--normal", normal, "--graph", broken))
    assert "graph: not valid YAML (line 2" in en and "第 2 行" in zh
    constant = write(tmp_path, "constant.csv", "a,b,c\n" + "1,2,3\n2,1,3\n" * 4)
    check_bilingual(run("causes", faulty, "--normal", constant, "--graph", graph, "--alarm", 1))
    short = write(tmp_path, "short.csv", "a,b,c\n" + "1,2,3\n2,1,4\n3,5,1\n" * 3)
    check_bilingual(run("causes", faulty, "--normal", short, "--graph", graph, "--alarm", 1))


def test_the_library_errors_stay_value_errors_with_both_languages():
    from qcert.quality import spc

    with pytest.raises(ValueError, match="values: all values are equal") as caught:
        spc.ewma(np.full(10, 5.0))
    assert caught.value.zh == "所有数值都相同，无法估计 σ"
