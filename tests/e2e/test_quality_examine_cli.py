"""``qcert quality examine`` reads the store: an unknown organisation is refused naming the
field, one without streams is told so, and one whose line streamed readings through the
intake gets a bilingual report naming the variable that drifted."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from qcert.quality.demo_line import FAULT_VARIABLE, line_readings
from qcert.store import create_engine
from tests.e2e.conftest import cli_at
from tests.pdfs import pdf_text
from tests.services import make_services, system_bus
from tests.stream_world import register_line, send

PASSWORD = "correct horse battery"
CLIENT = {
    "client_id": "c",
    "uscc": "91110108551385082Q",
    "name_zh": "公司",
    "name_en": "Co",
    "address": "北京",
    "adcode": "110108",
    "personnel": 5,
    "sites": [],
}
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    run = cli_at(tmp_path / "data", database_url, monkeypatch)
    run("lifecycle", "do", "register-client", json.dumps(CLIENT))
    return run


def test_an_unknown_organisation_is_refused_naming_the_field(qcert):
    refused = qcert("quality", "examine", "nobody", ok=False)
    assert refused.exit_code == 1
    assert "organisation: no organisation 'nobody'" in refused.output
    assert "组织：" in refused.output


def test_an_organisation_without_streams_is_told_so_without_figures(qcert):
    data = json.loads(qcert("quality", "examine", "c", "--json").stdout)
    assert data["readings"] == 0 and data["streams"] == [] and data["risk"] is None
    assert [n["code"] for n in data["notes"]] == ["no_streams", "no_history"]
    text = qcert("quality", "examine", "c").stdout
    assert "no stream readings in this period" in text and "没有数据流读数" in text
    assert "Cpk" not in text


def test_a_streamed_line_is_examined_and_its_drift_named(qcert, tmp_path, database_url):
    engine = create_engine(database_url)
    services = make_services(engine, tmp_path / "data")
    try:
        register_line(system_bus(services), "c", "line-1")
        drifted = line_readings(11, n=500, fault_at=300).frame
        assert {v.status for v in send(services.intake, "c", "line-1", drifted, START)} == {
            "stored"
        }
    finally:
        services.close()
    pdf = tmp_path / "report.pdf"
    start = (START - timedelta(minutes=1)).isoformat()
    args = ["quality", "examine", "c", "--from", start, "--pdf", pdf, "--json"]
    data = json.loads(qcert(*args).stdout)
    [stream] = data["streams"]
    assert stream["readings"] == 500 and stream["alarm"]["top"][0] == FAULT_VARIABLE
    assert data["report"] == [str(pdf)]
    text = pdf_text(pdf.read_bytes())
    for heading in (
        "质量体检报告",
        "Quality Physical Examination Report",
        "数据来源",
        "Data sources",
    ):
        assert heading in text
    assert FAULT_VARIABLE in text and "line-1" in text
    shown = qcert("quality", "examine", "c", "--from", start).stdout
    assert f"top: {FAULT_VARIABLE}" in shown and f"主要变量：{FAULT_VARIABLE}" in shown
    cpk = next(line for line in shown.splitlines() if ": Cpk " in line)
    assert ", signals " in cpk and "判异信号" in cpk


def test_a_bad_period_or_file_is_one_line_naming_the_field(qcert):
    bad = qcert("quality", "examine", "c", "--from", "2026-13-01", ok=False)
    assert bad.exit_code == 1 and "from: must be a date" in bad.output
    reversed_ = qcert(
        "quality", "examine", "c", "--from", "2026-02-01", "--to", "2026-01-01", ok=False
    )
    assert "from: must be before to" in reversed_.output
    out = qcert("quality", "examine", "c", "--out", "r.txt", ok=False)
    assert out.exit_code == 1 and "out:" in out.output


def test_another_organisations_user_cannot_examine_it(qcert):
    other = {**CLIENT, "client_id": "x", "uscc": "91440300708461136T"}
    qcert("lifecycle", "do", "register-client", json.dumps(other))
    payload = {"account_id": "other", "display_name": "other", "roles": ["client-admin@client:x"]}
    qcert("lifecycle", "do", "open-account", json.dumps({**payload, "password": PASSWORD}))
    with mock.patch("getpass.getpass", return_value=PASSWORD):
        qcert("login", "other")
    refused = qcert("quality", "examine", "c", ok=False)
    assert refused.exit_code == 1 and "organisation: no organisation 'c'" in refused.output


def test_a_bare_day_is_read_in_the_installations_time_zone(qcert, monkeypatch):
    period = ["quality", "examine", "c", "--from", "2026-01-01", "--to", "2026-01-31", "--json"]
    data = json.loads(qcert(*period).stdout)
    assert (data["from"], data["to"]) == ("2025-12-31T16:00:00+00:00", "2026-01-31T16:00:00+00:00")
    monkeypatch.setenv("QCERT_TIMEZONE", "Europe/London")
    data = json.loads(qcert(*period).stdout)
    assert (data["from"], data["to"]) == ("2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00")
