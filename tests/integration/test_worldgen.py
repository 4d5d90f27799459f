"""A generated world run through the bus: every rule kept, projections equal to a replay, and
the same seed giving the same store."""

import json
from datetime import date

import sqlalchemy as sa

from qcert.store import create_engine, migrate
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.worldgen import Clock, generate
from tests.services import make_services, system_bus

TODAY = date(2026, 11, 25)
SIZE = 20


def _build(engine, data, seed: int = 7):
    clock = Clock()
    services = make_services(engine, data, clock=clock)
    bus = system_bus(services)
    return generate(bus, size=SIZE, seed=seed, today=TODAY, clock_setter=clock.set, accounts=False)


def _column(engine, table, column):
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(sa.select(table.c[column]).distinct())}


def test_a_generated_world_reaches_every_stage_and_replays_to_its_projections(engine, tmp_path):
    summary = _build(engine, tmp_path / "services")
    assert summary.clients == SIZE + 12
    assert _column(engine, t.certificates, "status") == {
        "active",
        "suspended",
        "withdrawn",
        "expired",
    }
    assert {"applied", "contract-reviewed", "auditing"} <= _column(
        engine, t.certifications, "stage"
    )
    assert _column(engine, t.findings, "grade") == {"major", "minor", "observation", "improvement"}
    assert {"stage1", "stage2", "surveillance", "recertification", "special"} <= _column(
        engine, t.audits, "kind"
    )
    assert _column(engine, t.cases, "kind") == {"appeal", "complaint"}
    history = _column(engine, t.certificate_history, "event")
    assert {
        "certificate.scope-changed",
        "certificate.transferred",
        "certificate.restored",
    } <= history
    assert check_projections(engine) == []
    # Time has done its work: nothing active past expiry, nothing suspended past its deadline.
    c = t.certificates.c
    today = TODAY.isoformat()
    with engine.connect() as conn:
        lapsed = conn.execute(
            sa.select(c.number).where(c.status == "active", c.expiry_date < today)
        ).all()
        overdue = conn.execute(
            sa.select(c.number).where(c.status == "suspended", c.deadline < today)
        ).all()
        last = conn.execute(sa.select(sa.func.max(t.events.c.at))).scalar_one()
    assert lapsed == [] and overdue == []
    assert last < f"{today}T09:00:00Z"  # 17:00 Beijing time is 09:00 UTC


def _store(tmp_path, name):
    engine = create_engine(f"sqlite:///{tmp_path / name}")
    migrate(engine)

    @sa.event.listens_for(engine, "connect")
    def _scratch(dbapi_conn, _record):
        # A scratch store: no need to wait for the disk on every commit.
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    engine.dispose()
    return engine


def _contents(engine):
    with engine.connect() as conn:
        certificates = conn.execute(
            sa.select(t.certificates).order_by(t.certificates.c.number)
        ).all()
        documents = conn.execute(
            sa.select(t.events.c.document).order_by(t.events.c.ledger_index)
        ).scalars()
        return [tuple(row) for row in certificates], [json.loads(d) for d in documents]


def test_the_same_seed_gives_the_same_store(tmp_path):
    # Another seed plans another world: tests/unit/test_worldgen.py compares the plans.
    stores = [_store(tmp_path, f"{n}.db") for n in range(2)]
    for engine in stores:
        _build(engine, tmp_path / f"services-{engine.url.database[-4:-3]}", seed=5)
    first, again = (_contents(engine) for engine in stores)
    assert len(first[0]) > SIZE and len(first[1]) > 1000
    assert first == again
    for engine in stores:
        engine.dispose()
