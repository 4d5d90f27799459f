"""Line alarms are facts on the ledger: raised, cleared, refused when they make no sense."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from qcert.lifecycle import ClearLineAlarm, RecordLineAlarm
from qcert.schemes import RuleViolation
from qcert.store import tables as t
from qcert.store.replay import check_projections

from .conftest import world  # noqa: F401

AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def _raise(reading=200, value=31.5, limit=20.1, client="c1"):
    return RecordLineAlarm(
        client, "line-1", reading, 161, "spe", value, limit, ["coolant_temp", "feed_a"], AT
    )


def test_an_alarm_is_raised_and_cleared_on_the_ledger(world, engine):  # noqa: F811
    [raised] = world(_raise())
    [cleared] = world(ClearLineAlarm("c1", "line-1", 260, AT))
    with engine.connect() as conn:
        (row,) = conn.execute(sa.select(t.line_alarms)).mappings().all()
        kinds = conn.execute(
            sa.select(t.events.c.type).where(t.events.c.ledger_index.in_([raised, cleared]))
        ).scalars()
        assert sorted(kinds) == ["line.alarm-cleared", "line.alarm-raised"]
    assert (row["line_id"], row["reading"], row["onset"], row["cleared"]) == (
        "c1.line-1",
        200,
        161,
        260,
    )
    assert json.loads(row["top_variables"]) == ["coolant_temp", "feed_a"]
    assert (row["statistic"], row["value"], row["limit"]) == ("spe", 31.5, 20.1)
    world(_raise(reading=300))  # a new alarm once the last one cleared
    assert check_projections(engine) == []


@pytest.mark.parametrize(
    ("commands", "message"),
    [
        ([_raise(), _raise(reading=210)], "reading: an alarm raised at reading 200 is open"),
        ([ClearLineAlarm("c1", "line-1", 5, AT)], "has no open alarm"),
        ([_raise(), ClearLineAlarm("c1", "line-1", 150, AT)], "must come after"),
        ([_raise(value=3.0)], "value: 3.0 does not exceed the limit 20.1"),
        (
            [RecordLineAlarm("c1", "line 1", 1, 0, "t2", 9.0, 1.0, [], AT)],
            "line: 1-64 of letters",
        ),
    ],
)
def test_alarms_that_make_no_sense_are_refused(world, engine, commands, message):  # noqa: F811
    *before, last = commands
    for cmd in before:
        world(cmd)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar()
    with pytest.raises(RuleViolation, match=message):
        world(last)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar() == count


def test_an_alarm_needs_a_registered_client(world):  # noqa: F811
    from qcert.store.uow import NotFound

    with pytest.raises(NotFound):
        world(_raise(client="nobody"))
