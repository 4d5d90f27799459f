"""No bytes make the intake raise: any topic and payload become a verdict, and a refusal is
kept as a dead letter (in memory here: the store's side is tested in integration)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.evidence.intake import Intake, Message
from qcert.store import create_engine, migrate
from qcert.store import tables as t

AT = datetime(2026, 6, 1, 8, tzinfo=UTC)
_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = create_engine("sqlite://")
        migrate(_ENGINE)
    return _ENGINE


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
payloads = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries(
        {
            "device": st.sampled_from(["d1", "x"]),
            "units": st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
        },
        optional={
            "seq": st.integers(-2, 2**64),
            "time": st.text(max_size=30),
            "values": json_values,
            "readings": json_values,
            "signature": st.text(max_size=90),
        },
    ).map(lambda d: json.dumps(d).encode())
)
topics = st.text(max_size=40) | st.sampled_from(
    ["qcert/v1/c1/d1/a", "qcert/v1/c1/x/a", "qcert/v1//d1/a"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(topics, payloads), min_size=1, max_size=4))
def test_no_bytes_make_take_raise(batch):
    engine = _engine()
    with engine.begin() as conn:
        before = conn.execute(
            sa.select(sa.func.count()).select_from(t.evidence_dead_letters)
        ).scalar_one()
    verdicts = Intake(engine).take([Message(topic, payload, AT) for topic, payload in batch])
    assert len(verdicts) == len(batch)
    assert all(v.status == "refused" and v.code.startswith("evidence.") for v in verdicts)
    with engine.begin() as conn:
        after = conn.execute(
            sa.select(sa.func.count()).select_from(t.evidence_dead_letters)
        ).scalar_one()
    assert after - before == len(
        batch
    )  # nothing registered here: every message is refused and kept
