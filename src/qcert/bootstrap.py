"""The one place where settings become wired objects (engine, storage, keys, ledger)."""

from __future__ import annotations

from .config import Settings
from .keys import load_signers
from .ledger import Ledger
from .ledger.storage import SqlLedgerStorage
from .store import create_engine, migrate

__all__ = ["open_ledger"]


def open_ledger(settings: Settings, *, upgrade: bool = True) -> Ledger:
    """The installation's ledger: its database (migrated to the latest schema) and signing keys."""
    signers = load_signers(settings.keys_dir)
    engine = create_engine(settings.database_url)
    if upgrade:
        migrate(engine)
    return Ledger(SqlLedgerStorage(engine), signers[0].name, signers)
