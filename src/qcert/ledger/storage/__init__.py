"""Storage drivers for the ledger. The ledger core never imports these."""

from .sql import SqlLedgerStorage, metadata

__all__ = ["SqlLedgerStorage", "metadata"]
