"""qcert: digital quality certification on a verifiable event ledger."""

__version__ = "0.1.0"
