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
