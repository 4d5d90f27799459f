"""Storage drivers for the ledger and its witnesses. The ledger core never imports these."""

from .sql import SqlLedgerStorage, metadata
from .witness import SqlWitnessState

__all__ = ["SqlLedgerStorage", "SqlWitnessState", "metadata"]
