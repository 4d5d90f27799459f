"""Appends batches forever, printing each index once its batch has committed.

Run by test_crash.py, which kills it with SIGKILL at random moments.
Usage: python crash_child.py DATABASE_URL SEED  (signer keys on stdin, one per line)
"""

import hashlib
import random
import sys

from qcert.ledger import Ledger, parse_signer
from qcert.ledger.storage import SqlLedgerStorage
from qcert.store import create_engine


def main() -> None:
    url, seed = sys.argv[1], int(sys.argv[2])
    signers = [parse_signer(line) for line in sys.stdin.read().split()]
    ledger = Ledger(SqlLedgerStorage(create_engine(url)), signers[0].name, signers)
    rng = random.Random(seed)
    while True:
        batch = [rng.randbytes(rng.randint(1, 200)) for _ in range(rng.choice([1, 7, 64, 300]))]
        indices = ledger.append(batch)
        out = [f"{i} {hashlib.sha256(e).hexdigest()}" for i, e in zip(indices, batch, strict=True)]
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()
        if rng.random() < 0.3:
            ledger.checkpoint()


if __name__ == "__main__":
    main()
