"""The usual message's fast reader takes only what the published schema's model takes, with
the same values, and leaves everything else to the model."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from qcert.evidence import prepare as prepare_module
from qcert.evidence.payload import ReadingMessage, micros
from qcert.evidence.prepare import Message, prepare
from qcert.evidence.usual import read_usual

AT = datetime(2026, 6, 1, tzinfo=UTC)


def mostly(good, odd):
    """``good`` nine times in ten, else ``odd``: most messages are taken, so both readers
    are compared on what they take, and a few fail one check."""
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else good)


names = mostly(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,5}", fullmatch=True),
    st.sampled_from(["-t", "t\n", "", "温度", "t" * 65, "a b"]),
)
units = mostly(
    st.sampled_from(["mm", "°C", "Pa", "m/s²"]), st.sampled_from(["", "\x00", "m" * 33, "a\n"])
)
devices = mostly(st.just("d1"), st.sampled_from(["d1\n", "", "d 1", "-d", "d" * 65, "d2"]))
signatures = mostly(
    st.just("A" * 86 + "=="), st.sampled_from(["", "A" * 86 + "==\n", "A" * 88, None])
)
numbers = mostly(
    st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**70), 2**70),
    st.sampled_from([True, None, "1.5", [], 0, -0.0]),
)
times = mostly(
    st.sampled_from(
        [
            "2026-06-01T08:00:00+08:00",
            "2026-06-01T08:00:00.123456Z",
            "2026-06-01T08:00:00.1234567891Z",
            "2026-06-01t08:00:00z",
        ]
    ),
    st.sampled_from(
        [
            "2026-06-01 08:00:00Z",
            "2026-06-01T08:00:00",
            "1999-12-31T23:59:59Z",
            "9999-12-31T23:59:00-14:00",
            "2026-02-30T00:00:00Z",
            "2026-06-01T08:00:60Z",
            1_780_000_000,
            None,
        ]
    ),
)
seqs = mostly(st.integers(0, 2**53 - 1), st.sampled_from([-1, 2**53, 1.0, "1", True, None]))


@st.composite
def readings(draw, variables: list[str]) -> dict:
    values = {name: draw(numbers) for name in variables}
    if draw(st.integers(0, 19)) == 0:
        values = draw(st.dictionaries(names, numbers, max_size=3))
    reading = {"seq": draw(seqs), "time": draw(times), "values": values}
    if draw(st.integers(0, 19)) == 0:
        reading["quality"] = dict.fromkeys(variables, "good")
    if draw(st.integers(0, 19)) == 0:
        reading["extra"] = 1
    return reading


@st.composite
def messages(draw) -> dict:
    variables = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    doc: dict = {"device": draw(devices), "units": {name: draw(units) for name in variables}}
    if draw(st.integers(0, 9)) == 0:
        doc["units"] = draw(st.dictionaries(names, units, max_size=3))
    doc["readings"] = draw(st.lists(readings(variables), min_size=1, max_size=3))
    if draw(st.integers(0, 19)) == 0:
        doc["readings"] = []
    if draw(st.integers(0, 4)) == 0:
        doc["signature"] = draw(signatures)
    if draw(st.integers(0, 19)) == 0:
        doc |= {"seq": 1, "time": "2026-06-01T08:00:00Z", "values": {"t": 1.0}}
    return doc


def _model(payload: bytes) -> ReadingMessage | None:
    try:
        return ReadingMessage.model_validate_json(payload)
    except ValidationError:
        return None


def _same_as_the_model(payload: bytes) -> None:
    usual = read_usual(payload)
    if usual is None:
        return
    model = _model(payload)
    assert model is not None, "taken here, refused by the published schema"
    rows = model.all_readings()
    assert (usual.device, usual.units, usual.signature) == (
        model.device,
        model.units,
        model.signature,
    )
    assert usual.seqs == [r["seq"] for r in rows]
    assert usual.times == [micros(r["time"]) for r in rows]
    assert all(tuple(r["values"]) == usual.names for r in rows)
    assert "quality" not in str(rows)
    assert usual.table.tolist() == [v for r in rows for v in r["values"].values()]


@given(doc=messages())
@settings(max_examples=800)
@example(
    doc={
        "device": "d1",
        "units": {"t": "mm"},
        "readings": [{"seq": 1, "time": "2026-06-01T08:00:00Z", "values": {"t": 1}}],
    }
)
def test_what_the_usual_reader_takes_the_model_takes_with_the_same_values(doc):
    _same_as_the_model(json.dumps(doc).encode())


def test_twice_named_keys_are_read_as_the_model_reads_them():
    head = '{"device":"d1","units":{"t":"mm"},"readings":[{"seq":1,'
    for payload in [
        head + '"seq":2,"time":"2026-06-01T08:00:00Z","values":{"t":1.5}}]}',
        head + '"time":"2026-06-01T08:00:00Z","values":{"t":1.5,"t":2.5}}]}',
        head + '"time":"2026-06-01T08:00:00Z","values":{"t":1.5}}],"device":"d2"}',
        head + '"time":"2026-06-01T08:00:00Z","values":{"t":1.5}}],"readings":null}',
        '{"device":"d1\\n","units":{"t":"mm"},"readings":[{"seq":1,'
        '"time":"2026-06-01T08:00:00Z","values":{"t":1.5}}]}',
    ]:
        _same_as_the_model(payload.encode())


def test_the_usual_message_is_read_by_the_usual_reader_and_prepared_as_by_the_model(
    monkeypatch,
):
    rows = [
        {"seq": s, "time": "2026-06-01T08:00:00.25+08:00", "values": {"t": s / 3, "p": -0.0}}
        for s in range(5)
    ]
    payload = json.dumps({"device": "d1", "units": {"t": "mm", "p": "Pa"}, "readings": rows})
    message = Message("qcert/v1/c1/d1/readings", payload.encode(), AT)
    assert read_usual(message.payload) is not None  # the fast path is the one taken
    fast = prepare([message]).parsed[0]
    monkeypatch.setattr(prepare_module, "read_usual", lambda payload: None)
    slow = prepare([message]).parsed[0]
    fields = ("units", "signature", "single", "seqs", "times", "names", "uncovered")
    assert [getattr(fast, f) for f in fields] == [getattr(slow, f) for f in fields]
    assert (fast.table.tolist(), fast.from_table, fast.tabular) == (slow.table.tolist(), 1, 1)
    fast.hash_leaves()
    slow.hash_leaves()
    assert fast.leaves == slow.leaves


def test_a_message_for_another_device_than_its_topic_is_refused_by_either_reader():
    rows = [{"seq": 1, "time": "2026-06-01T08:00:00Z", "values": {"t": 1.0}}]
    payload = json.dumps({"device": "d2", "units": {"t": "mm"}, "readings": rows}).encode()
    verdict = prepare([Message("qcert/v1/c1/d1/readings", payload, AT)]).verdicts[0]
    assert verdict is not None and verdict.code == "evidence.topic"
    assert "d2" in verdict.reason_en and "d2" in verdict.reason_zh
