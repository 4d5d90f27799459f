"""Live streams and the examination report in the portal and the body's workspace, over
TestClient: what the pages show of a stream taken through the intake (charts with the
registered limits, the newest anchored window, a proof that verifies offline, refused
messages), the JSON the page polls, the report in HTML and PDF, and who is refused."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qcert.cli.main import app as cli
from qcert.evidence.window import verify_reading_proof
from qcert.quality.demo_line import FAULT_VARIABLE
from qcert.store import create_engine, migrate
from qcert.web.words import local_time
from tests.e2e.web.staffed_world import PASSWORD, Staffed, staff
from tests.e2e.web.streamed_world import START, stream_world
from tests.pdfs import pdf_text
from tests.stream_world import VARIABLES


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    root = tmp_path_factory.mktemp("streams")
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, root)
    stream_world(world)
    yield world
    engine.dispose()


@pytest.fixture(scope="module")
def app(streamed: Staffed):
    return streamed.app(schedule=False)


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def browse(app, who: str | None) -> TestClient:
    web = TestClient(app, base_url="https://testserver")
    if who is not None:
        form = web.get("/signin")
        data = {"username": who, "password": PASSWORD, "csrf": _csrf(form.text)}
        assert web.post("/signin", data=data, follow_redirects=False).status_code == 303
    return web


def _figure(page: str, chart: str) -> dict:
    found = re.search(rf'data-plotly="([^"]*)" data-chart-id="{re.escape(chart)}"', page)
    return json.loads(html.unescape(found[1]))


def test_the_portal_shows_each_variable_charted_with_its_limits(app):
    page = browse(app, "client").get("/portal/c1/streams", headers={"accept-language": "en"})
    assert page.status_code == 200
    text = page.text
    assert 'data-device="c1-line"' in text and "Machining line 1" in text
    assert 'data-latest-seq="c1-line">499<' in text
    bore = _figure(text, "c1-line.bore_diameter")
    assert len(bore["data"][0]["y"]) == 300  # the newest readings drawn
    limits = {a["text"]: a["y"] for a in bore["layout"]["annotations"]}
    assert limits["LSL"] == 24.97 and limits["USL"] == 25.03
    assert limits["LCL"] < limits["CL"] < limits["UCL"]
    coolant = _figure(text, "c1-line.coolant_temp")
    assert "LSL" not in {a["text"] for a in coolant["layout"]["annotations"]}  # none registered
    assert "data-dead-letters>1<" in text
    assert 'data-window="c1-line"' in text and "qcert evidence verify" in text
    assert "c2-line" not in text  # another organisation's line


def test_the_page_polls_a_json_view_of_the_same(app):
    live = browse(app, "client").get("/portal/c1/streams/live")
    assert live.status_code == 200 and live.headers["content-type"] == "application/json"
    data = live.json()
    [device] = data["devices"]
    assert device["latest"]["seq"] == 499 and data["dead_letters"] == 1
    assert {c["variable"] for c in device["charts"]} >= {"bore_diameter", FAULT_VARIABLE}
    assert device["window"]["last_seq"] == 499
    assert all(c["figure"]["data"] for c in device["charts"])
    # The page redraws times as it first showed them: in the viewer's zone, to the second.
    assert device["latest"]["shown"] == local_time(device["latest"]["time"], "Asia/Shanghai")
    assert data["at_shown"] == local_time(data["at"], "Asia/Shanghai")


def test_the_charts_draw_times_on_the_viewers_clock(app):
    # The newest reading's time as the page prints it (in the viewer's zone) is the chart's
    # last point: the axis is the viewer's clock, not UTC, and says which zone it is.
    for zone in ("Asia/Shanghai", "UTC", "America/Los_Angeles"):
        web = browse(app, "client")
        if zone != "Asia/Shanghai":  # the default zone; the others chosen on the account page
            web.cookies.set("qcert_tz", zone)
        live = web.get("/portal/c1/streams/live", headers={"accept-language": "en"}).json()
        [device] = live["devices"]
        bore = next(c for c in device["charts"] if c["variable"] == "bore_diameter")
        last = bore["figure"]["data"][0]["x"][-1]
        assert device["latest"]["shown"].startswith(last[:19].replace("T", " ")), (zone, last)
        assert bore["figure"]["layout"]["xaxis"]["title"]["text"] == f"Time ({zone})"


def test_a_readings_proof_downloads_and_verifies_offline(app, tmp_path: Path):
    web = browse(app, "client")
    page = web.get("/portal/c1/streams").text
    link = re.search(r'href="([^"]+/proof)" data-proof="(\d+)"', page)
    proof = web.get(link[1])
    assert proof.status_code == 200
    assert "attachment" in proof.headers["content-disposition"]
    doc = proof.json()
    verified = verify_reading_proof(doc, doc["vkeys"])
    assert verified.device == "c1-line" and verified.seq == int(link[2])
    # The command the page names checks the downloaded file offline, pinned to the log's key.
    path = tmp_path / "proof.json"
    path.write_bytes(proof.content)
    key = ["--vkey", doc["vkeys"][0]]
    checked = CliRunner().invoke(cli, ["evidence", "verify", str(path), *key, "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["verified"] is True
    assert web.get("/portal/c1/streams/c1-line/readings/123456/proof").status_code == 404
    assert web.get("/portal/c1/streams/c2-line/readings/0/proof").status_code == 404


def test_a_bodys_staff_see_the_streams_of_the_organisation_it_certifies(app):
    lead = browse(app, "lead")
    page = lead.get("/ws/bodies/cb1/clients/c1/streams")
    assert page.status_code == 200 and 'data-device="c1-line"' in page.text
    assert lead.get("/ws/bodies/cb1/clients/c1/streams/live").json()["dead_letters"] == 1
    proof = lead.get("/ws/bodies/cb1/clients/c1/streams/c1-line/readings/0/proof")
    assert verify_reading_proof(proof.json(), proof.json()["vkeys"]).seq == 0
    report = lead.get("/ws/bodies/cb1/clients/c1/examination")
    assert report.status_code == 200 and FAULT_VARIABLE in report.text


def test_the_examination_is_offered_as_html_and_pdf(app):
    web = browse(app, "client")
    report = web.get("/portal/c1/examination", headers={"accept-language": "en"})
    assert report.status_code == 200
    assert (
        "Quality Physical Examination Report" in report.text and "质量体检报告" not in report.text
    )
    assert FAULT_VARIABLE in report.text and "N-C1-0001" in report.text
    pdf = web.get("/portal/c1/examination?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "质量体检报告" in text and "Quality Physical Examination Report" in text
    bad = web.get("/portal/c1/examination?from=yesterday", headers={"accept-language": "en"})
    assert bad.status_code == 422 and 'data-field="from"' in bad.text
    assert "from: must be a date" in bad.text
    wrong = web.get("/portal/c1/examination?format=doc")
    assert wrong.status_code == 422 and 'data-field="format"' in wrong.text
    assert "格式：须为 &#39;html&#39;、&#39;pdf&#39; 之一" in wrong.text


PAGES = (
    "/portal/{c}/streams",
    "/portal/{c}/streams/live",
    "/portal/{c}/streams/{c}-line/readings/0/proof",
    "/portal/{c}/examination",
)


@pytest.mark.parametrize("path", PAGES)
def test_another_organisation_or_body_and_anonymous_are_refused_in_the_portal(app, path):
    assert browse(app, None).get(path.format(c="c1")).url.path == "/signin"
    # c1's user on c2's pages, cb2's staff on c1's (cb2 certifies c2 only), cb1's on c2's.
    for who, client in (("client", "c2"), ("dec2", "c1"), ("lead", "c2")):
        refused = browse(app, who).get(path.format(c=client))
        assert refused.status_code == 403, (who, path)
        # None of the streams' data (the path itself echoes in the page's links).
        assert "data-device=" not in refused.text and "Machining line 1" not in refused.text


WORKSPACE = (
    "/ws/bodies/{b}/clients/{c}/streams",
    "/ws/bodies/{b}/clients/{c}/streams/live",
    "/ws/bodies/{b}/clients/{c}/streams/{c}-line/readings/0/proof",
    "/ws/bodies/{b}/clients/{c}/examination",
)


@pytest.mark.parametrize("path", WORKSPACE)
def test_another_bodys_staff_the_organisation_and_anonymous_are_refused_in_the_workspace(app, path):
    assert browse(app, None).get(path.format(b="cb1", c="c1")).url.path == "/signin"
    for who in ("dec2", "client"):  # cb2's staff, c1's own user: not cb1's staff
        refused = browse(app, who).get(path.format(b="cb1", c="c1"))
        assert refused.status_code == 403, (who, path)
        assert "data-device=" not in refused.text and "Machining line 1" not in refused.text
    # cb1's staff asking for an organisation cb1 does not read: not found.
    missing = browse(app, "lead").get(path.format(b="cb1", c="c2"))
    assert missing.status_code == 404 and "Machining line 1" not in missing.text
    assert browse(app, "dec2").get(path.format(b="cb2", c="c2")).status_code == 200


def test_the_portal_names_the_sections_in_both_languages(app, tmp_path: Path):
    web = browse(app, "client")
    zh = web.get("/portal/c1/streams", headers={"accept-language": "zh-CN"}).text
    en = web.get("/portal/c1/streams", headers={"accept-language": "en"}).text
    assert "实时数据流" in zh or "实时数据" in zh
    assert "Live streams" in en and "Refused messages" in en and "被拒消息" in zh


def test_a_page_charts_a_bounded_number_of_variables_however_many_are_registered(
    app, streamed: Staffed
):
    # c2 registers three data sources of 200 variables each: charting them all would cost
    # seconds and megabytes on every poll of the page
    from qcert.evidence.commands import RegisterDevice
    from qcert.evidence.intake import Message, topic_for
    from qcert.web.stream_pages import MAX_CHARTS

    names = [f"v{i:03d}" for i in range(200)]
    variables = [{"name": n, "unit": "mm"} for n in names]
    for k in range(3):
        device = f"c2-wide-{k}"
        streamed.run(RegisterDevice(device, "c2", "station", variables, "Wide"))
        readings = [
            {
                "seq": s,
                "time": (START + timedelta(seconds=s)).isoformat(),
                "values": {n: 1.0 * s for n in names},
            }
            for s in range(4)
        ]
        doc = {"device": device, "units": {n: "mm" for n in names}, "readings": readings}
        message = Message(topic_for("c2", device), json.dumps(doc).encode(), START)
        assert streamed.services.intake.take([message])[0].status == "stored"
    reader = browse(app, "dec2")
    live = reader.get("/ws/bodies/cb2/clients/c2/streams/live").json()
    charts = [c for d in live["devices"] for c in d["charts"]]
    assert len(charts) == MAX_CHARTS
    registered = len(VARIABLES) + 600  # c2's machining line's and the three wide ones'
    assert sum(len(d["charts"]) + d["uncharted"] for d in live["devices"]) == registered
    en = reader.get("/ws/bodies/cb2/clients/c2/streams", headers={"accept-language": "en"}).text
    zh = reader.get("/ws/bodies/cb2/clients/c2/streams", headers={"accept-language": "zh-CN"}).text
    assert en.count("data-chart-id=") == MAX_CHARTS
    assert 'data-uncharted="c2-wide-2">200 more variables are not charted' in en
    assert 'data-uncharted="c2-wide-2">另有 200 个变量' in zh


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=9999-12-31T00:00:00-14:00&to=9999-12-31T23:59:59-14:00", "to"),
        ("to=0001-01-01", "to"),
        ("from=0001-01-01T00:00:00%2B14:00&to=0001-01-02", "from"),
    ],
    ids=["past-9999-in-utc", "30-days-before-year-1", "before-year-1-in-utc"],
)
def test_a_period_past_the_calendars_ends_is_refused_naming_the_field(app, query, field):
    refused = browse(app, "client").get(
        f"/portal/c1/examination?{query}", headers={"accept-language": "en"}
    )
    assert refused.status_code == 422 and f'data-field="{field}"' in refused.text
