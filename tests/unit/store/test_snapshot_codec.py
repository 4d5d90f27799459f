"""The snapshot codec: exact round trips of the types aggregates hold, one text per state, and
nothing it does not know."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from qcert.lifecycle import events as ev
from qcert.lifecycle.aggregate import Aggregate
from qcert.lifecycle.cycle import Audit, CertStatus, Finding
from qcert.store.snapshots import SnapshotError, StaleSnapshot, as_recorded, decode, encode


class Thing(Aggregate):
    kind = "thing"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.held: object = None


def _thing(held: object) -> Thing:
    thing = Thing("t1")
    thing.held = held
    return thing


STATES = [
    None,
    '中文 and \\u escapes "quoted"',
    0,
    -(2**70),
    1.5,
    True,
    [1, [2, "x"], {"a": 1}],
    {"b": 1, "a": 2},  # order kept
    {(1, "x"): date(2024, 2, 29), 3: None},
    ("in", "out"),
    {3, 1, 2},
    frozenset({"a", "b"}),
    datetime(2024, 5, 2, 9, 30, tzinfo=UTC),
    datetime(2024, 5, 2, 9, 30),
    CertStatus.suspended,
    Finding("s2", "minor", "8.5", "closed"),
    Audit(
        "stage2",
        [{"auditor": "a", "role": "lead"}],
        "FS01",
        date(2024, 1, 1),
        date(2024, 1, 2),
        3.5,
        ["hq"],
        1,
        presence=[("a", "in")],
    ),
    ev.CertificateSuspended("overdue", "2024-03-01", "2024-09-01"),
]


@pytest.mark.parametrize("held", STATES, ids=range(len(STATES)))
def test_each_type_comes_back_exactly(held):
    text = encode(_thing(held))
    again = decode(Thing, "t1", text)
    assert vars(again) == vars(_thing(held))
    assert type(again.held) is type(held)
    assert encode(again) == text


def test_a_dict_keeps_its_order_and_a_set_is_written_one_way():
    assert list(decode(Thing, "t1", encode(_thing({"b": 1, "a": 2}))).held) == ["b", "a"]
    one, other = {f"s{i}" for i in range(50)}, set()
    for i in reversed(range(50)):
        other.add(f"s{i}")
    assert encode(_thing(one)) == encode(_thing(other))


@dataclass
class Elsewhere:
    value: int


@pytest.mark.parametrize("held", [Decimal("1.5"), Elsewhere(1), object(), float("nan"), b"x"])
def test_a_type_it_does_not_know_is_refused(held):
    with pytest.raises(SnapshotError):
        encode(_thing(held))


@pytest.mark.parametrize(
    "text",
    [
        '{"m":["id","t1","version",0,"held",{"x":1}]}',  # an unknown tag
        '{"m":["id","t1","version",0,"held",{"t":[],"s":[]}]}',  # two tags in one object
        '{"m":["id","t1","version",0,"held",{"c":["Elsewhere","value",1]}]}',  # not ours
        '{"m":["id","t1","version",0,"held",{"m":["k"]}]}',  # a key without its value
        '{"m":["id","t2","version",0,"held",null]}',  # another aggregate's
    ],
)
def test_a_text_it_did_not_write_is_refused(text):
    with pytest.raises(SnapshotError):
        decode(Thing, "t1", text)


def test_a_snapshot_of_an_older_shape_is_stale():
    without = '{"m":["id","t1","version",0]}'  # before ``held`` was an attribute
    with pytest.raises(StaleSnapshot):
        decode(Thing, "t1", without)
    renamed = encode(_thing(Finding("s2", "minor", "8.5"))).replace('"grade"', '"level"')
    with pytest.raises(StaleSnapshot):
        decode(Thing, "t1", renamed)


def test_an_event_is_as_recorded_only_when_its_document_decodes_to_it():
    def doc(event: ev.Event) -> bytes:
        return ev.Envelope(event, "thing:t1", 1, "2024-01-01T00:00:00Z", "UTC", "a", "").canonical()

    same = ev.CertificateSuspended("overdue", "2024-03-01", "2024-09-01")
    assert as_recorded(same, doc(same))
    whole = ev.AuditCompleted("s2", 3.0, "2024-01-02")  # 3.0 is written, and read back, as 3
    assert json.loads(doc(whole))["data"]["actual_days"] == 3
    assert not as_recorded(whole, doc(whole))
    back = ev.read_back_event(whole)  # as an aggregate records it: as a replay folds it
    assert type(back.actual_days) is int and doc(back) == doc(whole)
    assert as_recorded(back, doc(whole))
    assert ev.read_back_event(same) is same
