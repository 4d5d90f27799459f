"""``qcert quality examine``: the report of a demo client shows its line's planted fault."""

import json

from typer.testing import CliRunner

from qcert.cli.main import app
from qcert.quality.demo_line import FAULT_VARIABLE, line_readings
from qcert.reports.examination import seed_of
from tests.pdfs import pdf_text

runner = CliRunner()


def test_the_pdf_report_is_bilingual_and_names_the_planted_variable(tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(app, ["quality", "examine", "client-7", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    fault_at = line_readings(seed_of("client-7")).fault_at
    assert summary["alarm"]["index"] > fault_at
    assert summary["alarm"]["top"][0] == FAULT_VARIABLE
    assert summary["report"] == str(out)
    assert any(r["rule"] == "R5-alarm" for r in summary["recommendations"])
    text = pdf_text(out.read_bytes())
    for heading in (
        "质量体检报告",
        "Quality Physical Examination Report",
        "改进建议",
        "Recommended improvements",
        "Process alarms and likely causes",
    ):
        assert heading in text
    assert FAULT_VARIABLE in text


def test_readings_from_a_csv_and_an_html_report(tmp_path):
    csv = tmp_path / "line.csv"
    line_readings(3, n=300, fault_at=200).frame.to_csv(csv, index=False)
    out = tmp_path / "report.html"
    args = ["quality", "examine", "c1", "--readings", str(csv), "--normal", "200"]
    result = runner.invoke(app, [*args, "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"top: {FAULT_VARIABLE}" in result.output
    html = out.read_text(encoding="utf-8")
    assert "Quality Physical Examination Report" in html and "质量体检报告" not in html


def test_bad_input_is_one_line_naming_the_field(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["quality", "examine", "c1", "--readings", str(csv)])
    assert result.exit_code == 1 and "readings: missing column(s)" in result.output
    result = runner.invoke(app, ["quality", "examine", "c1", "--out", "r.txt"])
    assert result.exit_code == 1 and "out:" in result.output
