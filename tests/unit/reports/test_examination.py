"""The examination report built from given streams: findings from their readings, the reason a
stream was not examined, no figures without data, and its HTML in one language or both."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, SPECS, UNITS, line_readings
from qcert.reports.examination import (
    LABELS,
    History,
    Stream,
    Variable,
    build,
    render_html,
    summary,
)

START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(days=1)
VARIABLES = tuple(
    Variable(name, UNITS[name], *SPECS.get(name, (None, None, None))) for name in (*PROCESS, *SPECS)
)


def _stream(device: str, seed: int, fault_at: int | None = 250, n: int = 400) -> Stream:
    frame = line_readings(seed, n=n, fault_at=fault_at).frame
    frame.index = pd.date_range(START, periods=len(frame), freq="s", tz="UTC")
    return Stream(device, VARIABLES, frame, "line 1")


def _report(streams, history=None, peers=None):
    history = history or History()
    return build("c1", ("示例公司", "Example Co"), START, END, history, streams, peers)


@pytest.fixture(scope="module")
def drifted():
    # The drift starts at reading 250 of 500, past the first half that is the baseline.
    return _report([_stream("dev-1", 7, fault_at=300, n=500)])


def test_a_planted_drift_is_alarmed_and_named_with_the_time_it_came(drifted):
    data = summary(drifted)
    stream = data["streams"][0]
    assert stream["alarm"]["top"][0] == FAULT_VARIABLE
    assert stream["alarm"]["index"] >= 300
    at = datetime.fromisoformat(stream["alarm"]["time"])
    assert at == START + timedelta(seconds=stream["alarm"]["index"])
    assert any(r["rule"] == "R5-alarm" for r in stream["recommendations"])
    assert data["risk"] is None and data["notes"][0]["code"] == "no_history"


def test_with_no_readings_the_report_says_so_and_has_no_figures():
    empty = Stream("dev-1", VARIABLES, pd.DataFrame(columns=[v.name for v in VARIABLES]))
    report = _report([empty])
    data = summary(report)
    assert data["readings"] == 0
    assert [n["code"] for n in data["notes"]] == ["no_streams", "no_history"]
    assert data["streams"][0]["skipped"]["code"] == "few_readings"
    assert "cpk" not in str(data["streams"])
    html = render_html(report, "both")
    assert LABELS["no_streams"][0] in html and LABELS["no_streams"][1] in html
    assert "<svg" not in html


def test_streams_that_cannot_be_examined_say_why():
    unspecified = tuple(Variable(v.name, v.unit) for v in VARIABLES)
    short = _stream("short", 1, fault_at=None, n=40).frame.iloc[:30]
    one = _stream("one", 2, fault_at=None).frame[["bore_diameter"]]
    report = _report(
        [
            Stream("short", VARIABLES, short),
            Stream("bare", unspecified, _stream("bare", 3, None).frame),
            Stream("one", (VARIABLES[5],), one),
        ]
    )
    codes = [s["skipped"]["code"] for s in summary(report)["streams"]]
    assert codes == ["few_readings", "no_limits", "one_variable"]


def test_peers_give_percentiles_and_history_is_shown():
    history = History(2, ({"number": "N-1", "status": "suspended"},), 3, {"major": 1}, 1, 1, 1)
    peers = {f"p{k}": [_stream(f"p{k}", 100 + k, fault_at=None)] for k in range(4)}
    report = _report([_stream("dev-1", 5, fault_at=None)], history, peers)
    data = summary(report)
    assert data["peers"] == 4
    percentiles = [c["peer_percentile"] for c in data["streams"][0]["characteristics"]]
    assert all(p is not None and 0 <= p <= 100 for p in percentiles)
    assert data["history"]["open_major"] == 1 and data["notes"] == []
    html = render_html(report, "en")
    assert "N-1" in html and LABELS["history"][1] in html


def test_each_language_shows_only_its_own_headings(drifted):
    en, zh = render_html(drifted, "en"), render_html(drifted, "zh-CN")
    both = render_html(drifted, "both")
    for key in ("title", "capability", "alarms", "recommendations", "sources"):
        zh_text, en_text = LABELS[key]
        assert en_text in en and zh_text not in en
        assert zh_text in zh and en_text not in zh
        assert zh_text in both and en_text in both
    assert both.count("<svg") == 5  # three characteristics, the monitor, the contributions
    with pytest.raises(ValueError, match="lang"):
        render_html(drifted, "fr")
