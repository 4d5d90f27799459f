"""Storage drivers for the ledger and its witnesses. The ledger core never imports these."""

from .sql import Indexed, SqlLedgerStorage, metadata
from .witness import SqlWitnessState

__all__ = ["Indexed", "SqlLedgerStorage", "SqlWitnessState", "metadata"]
