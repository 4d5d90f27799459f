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
