"""Writers side by side: each does its work outside the ledger's sequence lock, yet the ledger
stays gap-free and in commit order, every event at its own leaf, and no update is lost."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from qcert.lifecycle import CheckIn, RaiseFinding
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.uow import ConcurrentChange
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401
from tests.services import SYSTEM, make_services

WRITERS = 4
COMMANDS = 12


def test_parallel_writers_keep_the_ledger_gap_free_and_every_update(world, engine, tmp_path, clock):  # noqa: F811
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: one transaction writes at a time")
    # On the world's clock: the check-ins below fall on the audits' day.
    services = make_services(engine, tmp_path / "services", clock=clock)
    cids = [f"p{i}" for i in range(WRITERS)]
    for cid in cids:  # one organisation's applications come before any grant
        apply(world, cid)
    for cid in cids:
        certify(world, cid, on=date(2023, 3, 1), number=f"N-{cid}", applied=True)
    start = threading.Barrier(WRITERS + 1)
    lost: list[object] = []
    failures: list[BaseException] = []

    def run(command: object) -> None:
        # A loser of a race on one certification may already hold ledger indices when its
        # events are refused; it gives them back by rolling back, then tries again.
        while True:
            try:
                services.bus.handle(command, SYSTEM)
                return
            except ConcurrentChange:
                lost.append(command)

    def writer(cid: str) -> None:
        start.wait()
        for i in range(COMMANDS):
            run(CheckIn(cid, "s2", "aud1", 39.9, 116.3, out=bool(i % 2)))

    def rival() -> None:  # on the first writer's certification
        start.wait()
        for i in range(COMMANDS):
            run(RaiseFinding(cids[0], f"r{i}", "s2", "minor", "8.5", "gap", "aud1"))

    def guarded(target, *args) -> None:
        try:
            target(*args)
        except BaseException as err:  # reported below, not lost in the thread
            failures.append(err)

    threads = [threading.Thread(target=guarded, args=(writer, cid)) for cid in cids]
    threads.append(threading.Thread(target=guarded, args=(rival,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    e = t.events.c
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.select(e.aggregate, sa.func.count())
                .group_by(e.aggregate)
                .where(e.aggregate.in_([f"certification:{cid}" for cid in cids]))
            ).all()
        )
        indices = conn.execute(sa.select(e.ledger_index).order_by(e.ledger_index)).scalars()
        assert list(indices) == list(range(services.ledger.storage.size()))
    assert counts == {
        f"certification:{cid}": 9 + COMMANDS * (2 if cid == cids[0] else 1) for cid in cids
    }
    report = services.ledger.audit(workers=1)
    assert report.ok, report.problems
    assert check_projections(engine) == []
