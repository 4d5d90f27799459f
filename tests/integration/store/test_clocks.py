"""The read view of the clocks due, on SQLite and PostgreSQL."""

from datetime import date

import pytest

from qcert.lifecycle import EnforceClocks, SuspendCertificate, WithdrawCertificate
from qcert.store.clocks import clocks_due
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401

# Decided 2021-03-01: expires 2024-02-29. Decided 2023-03-01: expires 2026-02-28.
OLD, NEW = date(2021, 3, 1), date(2023, 3, 1)


@pytest.fixture
def clocks(world):  # noqa: F811
    # In the order it happened: the world's clock never runs back.
    # One organisation: its applications come first (it holds one live certificate per scheme
    # and body), then each fact on its day.
    for cid in ("expiring", "withdrawn", "lapsing", "suspended", "active"):
        apply(world, cid)
    certify(world, "expiring", OLD, "N-1", applied=True)
    certify(world, "withdrawn", OLD, "N-5", applied=True)
    world(WithdrawCertificate("withdrawn", "r", date(2023, 1, 1)))
    certify(world, "lapsing", NEW, "N-2", applied=True)
    certify(world, "suspended", NEW, "N-3", applied=True)
    certify(world, "active", NEW, "N-4", applied=True)
    world(SuspendCertificate("lapsing", "r", date(2024, 1, 10), 1))  # deadline 2024-02-10
    world(SuspendCertificate("suspended", "r", date(2024, 2, 20), 6))  # deadline 2024-08-20
    return world


def _due(engine, on, **kw):
    with engine.connect() as conn:
        return clocks_due(conn, on, **kw)


def test_a_clock_is_due_the_day_after_its_deadline_or_expiry(clocks, engine):
    assert _due(engine, date(2024, 2, 10)) == []  # the deadline day itself: not yet
    assert _due(engine, date(2024, 2, 11)) == ["lapsing"]
    assert _due(engine, date(2024, 2, 29)) == ["lapsing"]  # the expiry day itself: not yet
    assert _due(engine, date(2024, 3, 1)) == ["expiring", "lapsing"]
    # A suspension past the certificate's expiry but within its deadline is the body's to end.
    assert _due(engine, date(2024, 8, 20)) == ["expiring", "lapsing"]
    assert _due(engine, date(2024, 8, 21)) == ["expiring", "lapsing", "suspended"]


def test_what_was_enforced_is_no_longer_due(clocks, engine):
    on = date(2024, 9, 1)
    clocks(EnforceClocks(_due(engine, on), on))
    assert _due(engine, on) == []
    assert _due(engine, date(2026, 3, 1)) == ["active"]  # its own expiry, two years on


def test_batches_are_bounded_and_start_after_the_last_id(clocks, engine):
    on = date(2024, 9, 1)
    assert _due(engine, on, limit=2) == ["expiring", "lapsing"]
    assert _due(engine, on, after="lapsing", limit=2) == ["suspended"]
    assert _due(engine, on, after="suspended") == []
    with pytest.raises(ValueError, match="limit"):
        _due(engine, on, limit=0)
