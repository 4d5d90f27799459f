"""The projection check streams through digests and still names what was changed: an event's
copy, a projection row, a secret, a row gone."""

from datetime import date

import sqlalchemy as sa

from qcert.store import tables as t
from qcert.store.replay import Multiset, check_projections
from qcert.worldgen import Clock, generate
from tests.services import make_services, system_bus


def _world(engine, tmp_path):
    clock = Clock()
    services = make_services(engine, tmp_path / "services", clock=clock)
    generate(system_bus(services), size=4, seed=3, today=date(2026, 11, 25), clock_setter=clock.set)
    assert check_projections(engine) == []


def test_an_events_copy_edited_is_named(engine, tmp_path):
    _world(engine, tmp_path)
    with engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.min(t.events.c.ledger_index))).scalar()
        conn.execute(
            t.events.update().where(t.events.c.ledger_index == first).values(tenant="someone")
        )
    problems = check_projections(engine)
    assert any(p.startswith("lc_events: row not explained by the ledger") for p in problems)
    assert any(p.startswith("lc_events: row missing or changed") for p in problems)
    assert all(p.startswith("lc_events") for p in problems), problems


def test_a_secret_replaced_or_removed_is_named(engine, tmp_path):
    _world(engine, tmp_path)
    with engine.begin() as conn:
        kind, id_ = conn.execute(
            sa.select(t.secrets.c.kind, t.secrets.c.id).where(t.secrets.c.kind == "password")
        ).first()
        conn.execute(
            t.secrets.update()
            .where(t.secrets.c.kind == kind, t.secrets.c.id == id_)
            .values(hash="$argon2id$forged")
        )
    assert check_projections(engine) == [
        f"auth_secrets: password {id_} differs from its commitment"
    ]
    with engine.begin() as conn:
        conn.execute(t.secrets.delete().where(t.secrets.c.id == id_))
    assert check_projections(engine) == [f"auth_secrets: password {id_} is missing"]


def test_a_projection_row_deleted_is_named(engine, tmp_path):
    _world(engine, tmp_path)
    with engine.begin() as conn:
        body = conn.execute(sa.select(t.bodies.c.id).limit(1)).scalar()
        conn.execute(t.bodies.delete().where(t.bodies.c.id == body))
    (problem,) = check_projections(engine)
    assert problem.startswith("lc_bodies: row missing or changed") and body in problem


def test_the_digest_is_of_the_multiset_not_the_order():
    a, b, c = {"x": 1, "y": "一"}, {"x": 2.0, "y": None}, {"x": True, "y": date(2026, 1, 1)}
    one, two = Multiset(), Multiset()
    for row in (a, b, c):
        one.add(row)
    for row in (c, a, b):
        two.add(row)
    assert one == two
    two.add(a)
    assert one != two  # a row twice is not a row once
    three = Multiset()
    for row in (a, b, {"x": 1, "y": date(2026, 1, 1)}):  # True is not 1 here
        three.add(row)
    assert one != three
    assert Multiset() == Multiset()


def test_a_latitude_entered_as_39_0_replays_as_itself(engine, tmp_path):
    """The projection's JSON is the ledger's canonical JSON, where 39.0 is written 39."""
    from qcert.lifecycle import RegisterClient

    run = system_bus(make_services(engine, tmp_path / "services"))
    site = {
        "id": "hq",
        "name": "HQ",
        "address": "北京",
        "adcode": "110108",
        "lat": 39.0,
        "lon": 116.5,
    }
    run(RegisterClient("c", "91110108551385082Q", "公司", "Co", "北京", "110108", 5, [site]))
    with engine.connect() as conn:
        sites = conn.execute(sa.select(t.clients.c.sites)).scalar_one()
    assert '"lat":39,' in sites and '"lon":116.5' in sites
    assert check_projections(engine) == []
