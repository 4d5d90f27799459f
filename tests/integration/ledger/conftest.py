"""A ledger on each database, with fresh keys."""

import pytest

from qcert.ledger import Ledger, generate_ed25519, generate_sm2
from qcert.ledger.storage import SqlLedgerStorage

ORIGIN = "test.qcert.local/ledger"


@pytest.fixture(scope="session")
def signers():
    return [generate_ed25519(ORIGIN), generate_sm2(ORIGIN)]


@pytest.fixture
def ledger(engine, signers):
    return Ledger(SqlLedgerStorage(engine), ORIGIN, signers)


@pytest.fixture
def vkeys(signers):
    return [s.verifier().vkey() for s in signers]
