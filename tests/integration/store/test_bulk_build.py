"""A store built from nothing skips the waits for the disk until the build ends, then is durable."""

import os

import sqlalchemy as sa

from qcert.store.db import BulkBuild, create_engine, migrate
from qcert.store.documents import DocumentStore


def _synchronous(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar())


def test_a_bulk_build_waits_for_the_disk_only_at_its_end(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'qcert.db'}")
    migrate(engine)
    documents = DocumentStore(tmp_path / "documents")
    synced: list[int] = []
    flushed: list[bool] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    monkeypatch.setattr(os, "sync", lambda: flushed.append(True))
    assert _synchronous(engine) == 2  # FULL: every commit on disk before it returns

    bulk = BulkBuild(engine, documents)
    assert _synchronous(engine) == 0  # OFF while the store is built
    documents.put(b"a manual")
    assert synced == []  # no wait per file either
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 200)

    before = (tmp_path / "qcert.db").stat().st_size
    bulk.close()
    assert flushed == [True]  # everything written reached the disk at once
    # What the build wrote is in the database file itself, not only in its write-ahead log.
    assert (tmp_path / "qcert.db").stat().st_size > before
    assert _synchronous(engine) == 2
    documents.put(b"another manual")
    assert len(synced) == 1  # each file synced again
    engine.dispose()
