"""The payload: a reading's canonical bytes are RFC 8785's, the schema bounds every input, and
the published schema file is the model's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from qcert.evidence.payload import (
    MAX_READINGS,
    ReadingMessage,
    canonical_reading,
    canonical_rows,
    canonical_text,
    canonical_texts,
    json_schema,
    micros,
    utc_text,
)

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}", fullmatch=True)
numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)


@given(
    seq=st.integers(0, 2**53 - 1),
    us=st.integers(
        micros(datetime(2000, 1, 1, tzinfo=UTC)), micros(datetime(9999, 1, 1, tzinfo=UTC))
    ),
    values=st.dictionaries(names, numbers, min_size=1, max_size=8),
    quality=st.none()
    | st.dictionaries(names, st.sampled_from(["good", "uncertain", "bad"]), max_size=4),
)
@settings(max_examples=1000)
@example(
    seq=0,
    us=micros(datetime(2000, 1, 1, tzinfo=UTC)),
    values={"x1e-5": -0.0, "b": 1e21, "c": 1e-7, "d": 2.0**53},
    quality=None,
)
def test_a_readings_bytes_are_rfc8785s(seq, us, values, quality):
    doc = {
        "device": "d-1",
        "seq": seq,
        "time": utc_text(us),
        "values": {k: float(v) for k, v in values.items()},
    }
    if quality:
        doc["quality"] = quality
    assert canonical_reading("d-1", seq, us, values, quality) == rfc8785.dumps(doc)


def test_one_instant_has_one_spelling():
    east = datetime.fromisoformat("2026-06-01T16:00:00.5+08:00")
    assert utc_text(micros(east)) == "2026-06-01T08:00:00.500000Z"


def _message(**fields):
    return {"device": "d1", "units": {"t": "degC"}, **fields}


@pytest.mark.parametrize(
    "doc",
    [
        _message(),  # no reading at all
        _message(seq=1, time="2026-06-01T08:00:00Z"),  # no values
        _message(seq=1, time="2026-06-01T08:00:00", values={"t": 1}),  # no offset
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"t": "1"}),  # a string
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"t": True}),
        _message(seq=-1, time="2026-06-01T08:00:00Z", values={"t": 1}),
        _message(seq=2**53, time="2026-06-01T08:00:00Z", values={"t": 1}),
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"bad name": 1}),
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"t": 1}, quality={"t": "ok"}),
        _message(seq=1, time="2026-06-01T08:00:00Z", values={f"v{i}": 1 for i in range(201)}),
        _message(
            readings=[
                {"seq": i, "time": "2026-06-01T08:00:00Z", "values": {"t": 1}}
                for i in range(MAX_READINGS + 1)
            ]
        ),
        _message(readings=[], seq=1),
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"t": 1}, extra=1),
        _message(seq=1, time="2026-06-01T08:00:00Z", values={"t": 1}, signature="short"),
        {
            "device": "d/1",
            "units": {},
            "seq": 1,
            "time": "2026-06-01T08:00:00Z",
            "values": {"t": 1},
        },
    ],
)
def test_the_schema_refuses(doc):
    with pytest.raises(ValidationError):
        ReadingMessage.model_validate_json(json.dumps(doc))


def test_infinity_is_refused():
    text = (
        b'{"device":"d1","units":{},"seq":1,"time":"2026-06-01T08:00:00Z","values":{"t":Infinity}}'
    )
    with pytest.raises(ValidationError):
        ReadingMessage.model_validate_json(text)


def test_the_published_schema_is_the_models():
    path = Path(__file__).parents[3] / "docs" / "evidence" / "reading-v1.schema.json"
    assert json.loads(path.read_text()) == json_schema(), (
        "regenerate docs/evidence/reading-v1.schema.json from qcert.evidence.payload.json_schema()"
    )


# The same names reading after reading (the fast path's template is reused), names that
# look like parts of numbers, and values from every range RFC 8785 writes differently.
_TRICKY = ["a.0", "x:-0.", "e", "n", "inf", "b1e5", "Z", "temp"]
_EDGES = st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 1e16, 1e16 - 2, 1e21, 1e-7, 1e-6, 5e-324, 1.7976931348623157e308]
)


@given(
    readings=st.lists(
        st.tuples(
            st.lists(st.floats(allow_nan=False, allow_infinity=False) | _EDGES, min_size=8),
            st.permutations(_TRICKY),
        ),
        min_size=1,
        max_size=20,
    )
)
@settings(max_examples=500)
def test_the_fast_path_for_repeated_names_is_rfc8785s(readings):
    for numbers, names in readings:
        values = dict(zip(names, numbers, strict=False))
        doc = {"device": "d", "seq": 1, "time": utc_text(0), "values": values}
        assert canonical_reading("d", 1, 0, values, None) == rfc8785.dumps(doc)


# Messages of ordinary values only (written at once) and messages with any value at all.
_PLAIN = st.floats(-1e15, 1e15) | st.floats(-1e-4, 1e-4) | st.integers(-(2**53), 2**53).map(float)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False) | _EDGES | _PLAIN
# A message's variables (the first ``width`` names), its rows of values, and its times.
_MESSAGE = {
    "names": st.permutations(_TRICKY),
    "width": st.integers(1, 8),
    "rows": st.lists(st.lists(_PLAIN, min_size=8, max_size=8), min_size=1, max_size=12)
    | st.lists(st.lists(_FLOATS, min_size=8, max_size=8), min_size=1, max_size=12),
    "times": st.lists(
        st.integers(
            micros(datetime(2000, 1, 1, tzinfo=UTC)),
            micros(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ),
        min_size=1,
    ),
}


@given(
    **_MESSAGE,
    quality=st.none() | st.integers(0, 11),
)
@settings(max_examples=500)
def test_a_messages_readings_written_at_once_are_rfc8785s(names, width, rows, times, quality):
    readings = [
        {
            "seq": n,
            "time": None,
            "values": dict(zip(names[:width], row, strict=False)),
        }
        for n, row in enumerate(rows)
    ]
    if quality is not None and quality < len(readings):  # one reading unlike the others
        readings[quality]["quality"] = {names[0]: "bad"}
    at = [times[n % len(times)] for n in range(len(readings))]
    texts = canonical_texts("d", readings, at)
    for reading, us, text in zip(readings, at, texts, strict=True):
        doc = {"device": "d", "seq": reading["seq"], "time": utc_text(us)}
        doc["values"] = reading["values"]
        if "quality" in reading:
            doc["quality"] = reading["quality"]
        assert text.encode() == rfc8785.dumps(doc)


@given(
    **_MESSAGE,
)
@settings(max_examples=500)
def test_a_messages_readings_written_from_its_table_are_rfc8785s(names, width, rows, times):
    # what a writer process writes from the values table the consumer passes on
    sent = tuple(names[:width])
    at = [times[n % len(times)] for n in range(len(rows))]
    seqs = [3 * n + 1 for n in range(len(rows))]
    table = [v for row in rows for v in row[:width]]
    texts = canonical_rows("d", seqs, at, sent, table)
    for seq, us, row, text in zip(seqs, at, rows, texts, strict=True):
        doc = {"device": "d", "seq": seq, "time": utc_text(us)}
        doc["values"] = dict(zip(sent, row[:width], strict=False))
        assert text.encode() == rfc8785.dumps(doc)
    assert len(texts) == len(rows)


def test_a_validated_message_is_written_as_rfc8785_reading_by_reading():
    sent = {
        "device": "d-1",
        "units": {"t": "°C", "p": "kPa"},
        "readings": [
            {"seq": 7, "time": "2026-12-05T08:00:00.5+08:00", "values": {"t": 21.5, "p": 101}},
            {"seq": 8, "time": "2026-12-05T00:00:01Z", "values": {"p": 1e-7, "t": -0.0}},
        ],
    }
    model = ReadingMessage.model_validate_json(json.dumps(sent))
    readings = model.all_readings()
    at = [micros(r["time"]) for r in readings]
    expected = [
        canonical_text("d-1", r["seq"], us, r["values"], None)
        for r, us in zip(readings, at, strict=True)
    ]
    assert canonical_texts("d-1", readings, at) == expected
    assert expected[0] == (
        '{"device":"d-1","seq":7,"time":"2026-12-05T00:00:00.500000Z","values":{"p":101,"t":21.5}}'
    )


@given(
    sent=st.lists(st.text(max_size=6) | names, min_size=1, max_size=4),
    units=st.lists(st.text(max_size=6) | names, max_size=4),
    single=st.booleans(),
)
@settings(max_examples=400)
@example(sent=["ok", "bad name"], units=["ok", "bad name"], single=False)
@example(sent=["-x"], units=["ok"], single=True)
def test_the_intake_refuses_a_variables_name_as_the_published_schema_does(sent, units, single):
    # the intake matches a message's names once, against its units, not value by value: a
    # message is refused, or not, with the same reason as by the schema published
    from qcert.evidence.prepare import Message, prepare
    from qcert.lifecycle.inputs import refusal_of

    reading = {"seq": 1, "time": "2026-06-01T08:00:00+08:00", "values": dict.fromkeys(sent, 1.5)}
    doc = {"device": "d1", "units": dict.fromkeys(units, "mm")}
    doc |= reading if single else {"readings": [reading, {**reading, "seq": 2}]}
    payload = json.dumps(doc).encode()
    try:
        ReadingMessage.model_validate_json(payload)
        published = None
    except ValidationError as err:
        published = refusal_of(err.errors()).en
    at = datetime(2026, 6, 1, tzinfo=UTC)
    verdict = prepare([Message("qcert/v1/c1/d1/readings", payload, at)]).verdicts[0]
    if published is None:
        assert verdict is None  # read; the commit refuses a name without a unit
    else:
        assert (verdict.code, verdict.reason_en) == ("evidence.schema", published)


times = (
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    ).map(datetime.isoformat)
    | st.from_regex(r"\d{4}-\d\d-\d\d[T t]\d\d:\d\d(:\d\d(\.\d{1,12})?)?([Zz]|[+-]\d\d:?\d\d)?")
    | st.text(max_size=40)
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
)


@given(first=times, second=times)
@settings(max_examples=400)
@example(first="2026-06-01T08:00:00+08:00", second="2026-06-01T08:00:00+08:00")
@example(first="9999-12-31T23:59:00-14:00", second="0001-01-01T00:00:00+14:00")
@example(first="2026-06-01 08:00:00Z", second="2026-06-01T08:00:00")
@example(first=1_780_000_000, second="1780000000")
@example(first="2026-06-01T08:00:00+08:00" + "0" * 60, second="2026-06-01T08:00:00.1234567Z")
def test_the_intake_reads_each_time_as_the_published_schema_does(first, second):
    # the intake keeps each reading's time as sent and reads each distinct one once: a
    # message is refused with the same reason as by the schema, or read with the same times
    from qcert.evidence.prepare import Message, prepare
    from qcert.lifecycle.inputs import refusal_of

    readings = [
        {"seq": n, "time": at, "values": {"t": 1.5}} for n, at in enumerate([first, second])
    ]
    payload = json.dumps({"device": "d1", "units": {"t": "mm"}, "readings": readings}).encode()
    try:
        model = ReadingMessage.model_validate_json(payload)
        published = None
    except ValidationError as err:
        published = refusal_of(err.errors()).en
    at = datetime(2026, 6, 1, tzinfo=UTC)
    prepared = prepare([Message("qcert/v1/c1/d1/readings", payload, at)])
    if published is None:
        assert prepared.verdicts[0] is None
        assert prepared.parsed[0].times == [micros(r["time"]) for r in model.all_readings()]
    else:
        verdict = prepared.verdicts[0]
        assert (verdict.code, verdict.reason_en) == ("evidence.schema", published)
