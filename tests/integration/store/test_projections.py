"""Projections written from aggregates kept between commands: a command writes the rows it
changed and no others, and what it writes is what a replay of the ledger gives."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from qcert.lifecycle import AnswerFinding, CloseFinding, RaiseFinding
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", clock=clock)


def _finding_writes(engine: sa.Engine) -> list[tuple[str, str, str]]:
    """Every row the connections of ``engine`` write to lc_findings from now on, as
    (statement, finding, status)."""
    written: list[tuple[str, str, str]] = []

    @sa.event.listens_for(engine, "before_execute")
    def _seen(conn, clause, multiparams, params, options) -> None:  # type: ignore[no-untyped-def]
        if isinstance(clause, sa.Insert | sa.Update) and clause.table is t.findings:
            rows = multiparams[0] if multiparams else [params]
            kind = "insert" if isinstance(clause, sa.Insert) else "update"
            written.extend((kind, row["finding_id"], row["status"]) for row in rows)

    return written


def test_a_command_writes_only_the_finding_it_changed(world, engine, services):  # noqa: F811
    certify(world)
    run = system_bus(services)  # a bus keeps the certification between its commands
    for i in range(4):
        run(RaiseFinding("cert1", f"f{i}", "s2", "minor", "8.5", "gap", "aud1"))
    written = _finding_writes(engine)
    run(AnswerFinding("cert1", "f2", "fixed", "cause", "action"))
    run(CloseFinding("cert1", "f2", "lead1", date(2023, 3, 1)))
    run(RaiseFinding("cert1", "f4", "s2", "observation", "8.5", "labels fade", "aud1"))
    assert written == [
        ("update", "f2", "answered"),
        ("update", "f2", "closed"),
        ("insert", "f4", "open"),
    ]
    assert check_projections(engine) == []
