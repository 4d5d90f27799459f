"""A watched stream's alarms follow its readings: one open at a time, each after the last
recorded, only from the device's current monitor; a monitor fitted anew ends the episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qcert.evidence.monitor_model import StreamMonitor
from qcert.evidence.monitors import fit_monitor
from qcert.quality.demo_line import PROCESS, line_readings
from qcert.schemes import RuleViolation

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def fitted():
    return fit_monitor("pca", None, line_readings(2, n=200, fault_at=None).frame[list(PROCESS)])


def _stream(fitted):
    stream = StreamMonitor("d1")
    stream.fit("c1", fitted, T0, T0 + timedelta(minutes=5), True, "")
    return stream


def _alarm(seq, digest, first=None):
    return {
        "seq": seq,
        "time": "2026-03-02T08:10:00.000000Z",
        "first_seq": seq - 2 if first is None else first,
        "statistic": "spe",
        "statistics": {"spe": 9.0, "t2": 1.0},
        "limits": {"spe": 4.0, "t2": 9.0},
        "top_variables": [{"variable": "coolant_temp", "contribution": 5.0, "share": 0.8}],
        "root_causes": [],
        "digest": digest,
        "window_start": "2026-03-02T08:10:00.000000Z",
        "window_root": "0" * 64,
        "window_index": 7,
    }


def _cleared(seq, raised):
    window = {"window_start": "2026-03-02T08:10:00.000000Z", "window_root": "0" * 64}
    return {"seq": seq, "time": "2026-03-02T08:10:05.000000Z", "raised_seq": raised, **window,
            "window_index": 8}  # fmt: skip


def test_an_episode_is_raised_then_cleared_at_later_readings(fitted):
    stream = _stream(fitted)
    stream.raise_alarm(_alarm(100, fitted.digest))
    assert stream.open_seq == 100
    stream.clear_alarm(_cleared(104, 100))
    assert stream.open_seq is None and (stream.last_raised, stream.last_cleared) == (100, 104)
    assert [e.name for e in stream.pending] == [
        "evidence.monitor-fitted",
        "evidence.alarm-raised",
        "evidence.alarm-cleared",
    ]


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        (["raise 100", "raise 110"], "seq"),  # one open at a time
        (["raise 100", "clear 104", "raise 104"], "seq"),  # after the last recorded reading
        (["raise 100", "clear 99"], "seq"),
        (["clear 100"], "seq"),  # nothing open
        (["raise 100", "clear 104 raised 90"], "raised_seq"),
        (["raise 100 other"], "digest"),  # another monitor's alarm
        (["raise 100 first 101"], "first_seq"),
    ],
)
def test_an_alarm_out_of_order_is_refused_naming_the_field(fitted, steps, field):
    stream = _stream(fitted)

    def run(step):
        words = step.split()
        seq = int(words[1])
        if words[0] == "clear":
            raised = int(words[3]) if len(words) > 2 else stream.open_seq
            stream.clear_alarm(_cleared(seq, raised if raised is not None else 0))
        else:
            digest = "f" * 64 if "other" in words else fitted.digest
            first = int(words[3]) if "first" in words else None
            stream.raise_alarm(_alarm(seq, digest, first))

    for step in steps[:-1]:
        run(step)
    with pytest.raises(RuleViolation) as caught:
        run(steps[-1])
    assert str(caught.value).startswith(field)


def test_a_monitor_fitted_anew_ends_the_open_episode(fitted):
    stream = _stream(fitted)
    stream.raise_alarm(_alarm(100, fitted.digest))
    stream.fit("c1", fitted, T0, T0 + timedelta(minutes=6), True, "")
    assert stream.open_seq is None and stream.last_cleared == -1  # ended, not cleared
    stream.raise_alarm(_alarm(120, fitted.digest))  # the new monitor's own episode
    assert stream.open_seq == stream.last_raised == 120


def test_no_alarm_before_a_monitor(fitted):
    with pytest.raises(RuleViolation, match="device_id"):
        StreamMonitor("d1").raise_alarm(_alarm(100, fitted.digest))
