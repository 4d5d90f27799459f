"""The Alembic migrations create exactly the tables the code declares, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qcert.ledger.storage import metadata as ledger_metadata
from qcert.store.tables import metadata as store_metadata


def test_migrations_match_the_declared_tables(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, [ledger_metadata, store_metadata])
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert diff == []


def test_client_names_are_refilled_from_their_events_on_upgrade(database_url):
    from qcert.lifecycle import RegisterClient, handle
    from qcert.store import create_engine, migrate
    from qcert.store.replay import check_projections
    from qcert.store.uow import UnitOfWork

    engine = create_engine(database_url)
    site = {
        "id": "hq",
        "name": "HQ",
        "address": "北京",
        "adcode": "110108",
        "lat": 39.9,
        "lon": 116.3,
    }
    handle(
        RegisterClient(
            "c",
            "91110108551385082Q",
            "示例公司",
            "Example Co",
            "北京",
            "110108",
            5,
            [site],
            confidential=True,
        ),
        UnitOfWork(engine),
    )
    migrate(engine, "0006")  # back to before the names, then forward again
    migrate(engine)
    assert check_projections(engine) == []
    engine.dispose()


def test_projection_json_written_before_0015_is_made_canonical(database_url, tmp_path):
    import json

    import sqlalchemy as sa

    from qcert.lifecycle import RegisterClient
    from qcert.store import create_engine, migrate
    from qcert.store.replay import check_projections
    from tests.services import make_services, system_bus

    engine = create_engine(database_url)
    run = system_bus(make_services(engine, tmp_path / "services"))
    site = {
        "id": "hq",
        "name": "HQ",
        "address": "北京",
        "adcode": "110108",
        "lat": 39.0,
        "lon": 116.0,
    }
    run(RegisterClient("c", "91110108551385082Q", "公司", "Co", "北京", "110108", 5, [site]))
    migrate(engine, "0014")
    with engine.begin() as conn:  # as the code before 0015 wrote it
        old = json.dumps(
            [{**site, "central": False}], ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        assert '"lat":39.0' in old
        conn.execute(sa.text("UPDATE lc_clients SET sites = :s"), {"s": old})
    migrate(engine)
    assert check_projections(engine) == []
    engine.dispose()


def test_stored_readings_move_into_blocks_and_back(database_url):
    import hashlib

    import sqlalchemy as sa

    from qcert.evidence.blocks import BLOCK_READINGS, SEQ_SPAN, TIME_SPAN, ints
    from qcert.store import create_engine, migrate
    from tests.integration.evidence import stored as kept

    engine = create_engine(database_url)
    migrate(engine, "0024")  # one row a reading, as stored before blocks
    t0 = 1_780_000_020_000_000  # a whole minute, µs
    rows = []
    for device, seqs in (("d1", range(2500)), ("d2", [0, 7, SEQ_SPAN * 3, SEQ_SPAN * 3 + 1])):
        for seq in seqs:
            at = t0 + 97_000 * (seq % 3000)  # d1's readings span four minutes
            body = f'{{"device":"{device}","seq":{seq},"time":"t{at}","values":{{"x":1}}}}'
            leaf = hashlib.sha256(b"\x00" + body.encode()).digest()
            rows.append(
                {
                    "device_id": device,
                    "seq": seq,
                    "time_us": at,
                    "received_us": at + 5,
                    "body": body,
                    "leaf": leaf,
                }
            )
    readings = sa.table(
        "evidence_readings",
        *[sa.column(c) for c in ("device_id", "seq", "time_us")],
        *[sa.column(c) for c in ("received_us", "body", "leaf")],
    )
    with engine.begin() as conn:
        conn.execute(readings.insert(), rows)
    migrate(engine)
    expected = sorted(
        (r["device_id"], r["seq"], r["time_us"], r["received_us"], r["body"], r["leaf"])
        for r in rows
    )
    assert [tuple(r) for r in kept.stored(engine)] == expected
    with engine.connect() as conn:
        blocks = conn.execute(
            sa.text(
                "SELECT first_seq, last_seq, start_us, end_us, count, seqs FROM evidence_blocks"
            )
        ).all()
    for first, last, start, end, count, seqs in blocks:
        assert ints(seqs) == sorted(ints(seqs)) and len(ints(seqs)) == count <= BLOCK_READINGS
        assert last - first < SEQ_SPAN and start // TIME_SPAN == end // TIME_SPAN
    migrate(engine, "0024")
    with engine.connect() as conn:
        back = conn.execute(
            sa.text(
                "SELECT device_id, seq, time_us, received_us, body, leaf FROM evidence_readings"
            )
        ).all()
    assert sorted((d, s, a, r, b, bytes(leaf)) for d, s, a, r, b, leaf in back) == expected
    migrate(engine)
    engine.dispose()


def test_blocks_that_keep_values_get_their_texts_back_on_downgrade(database_url):
    from array import array

    import sqlalchemy as sa

    from qcert.evidence.blocks import cut
    from qcert.evidence.payload import canonical_rows
    from qcert.store import blocks as blocks_sql
    from qcert.store import create_engine, migrate
    from tests.integration.evidence import stored as kept

    engine = create_engine(database_url)
    migrate(engine)
    t0 = 1_780_000_020_000_000  # a whole minute, µs
    seqs = list(range(1500))
    times = [t0 + 50_000 * s for s in seqs]  # 75 s: two minutes, three blocks
    names = ("temp", "load")
    table = array("d", [v for s in seqs for v in (20.0 + s / 7, -0.0 if s % 5 else 1e22)])
    texts = canonical_rows("d1", seqs, times, names, table)
    leaves = [bytes([s % 256]) * 32 for s in seqs]
    blocks = cut("d1", seqs, times, times, texts, leaves, 60_000_000, (names, table))
    assert len(blocks) == 3 and all(b.variables == "temp,load" for b in blocks)
    with engine.begin() as conn:
        blocks_sql.insert(conn, blocks)
    expected = [
        ("d1", s, at, at, text, leaf)
        for s, at, text, leaf in zip(seqs, times, texts, leaves, strict=True)
    ]
    assert [tuple(r) for r in kept.stored(engine)] == expected
    migrate(engine, "0025")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT first_seq, bodies FROM evidence_blocks")).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("evidence_blocks")}
    assert "variables" not in columns and "value_table" not in columns
    assert sorted(t for _, bodies in rows for t in bodies.split("\n")) == sorted(texts)
    migrate(engine)
    assert [tuple(r) for r in kept.stored(engine)] == expected  # now blocks of texts
    engine.dispose()
