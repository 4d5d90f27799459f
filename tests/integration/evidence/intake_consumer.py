"""A consumer process in front of the real intake, for the fault tests:
``python -m tests.integration.evidence.intake_consumer --port P --data-dir DIR --database-url U``
(an installation made by the test). Prints its counts as JSON when it stops."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from pathlib import Path

from qcert.bootstrap import bootstrap
from qcert.config import Settings
from qcert.evidence.intake import Message
from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--once-idle", type=float)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    svc = bootstrap(Settings.from_env(args.data_dir, args.database_url), upgrade=False)
    options = ConsumeOptions(group="", client_id="qcert-test-intake", once_idle=args.once_idle)
    consumer = Consumer(
        svc.intake, Broker("127.0.0.1", args.port), options, message=Message, clock=svc.clock
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    print(json.dumps(consumer.run().as_dict()), flush=True)
    svc.close()


if __name__ == "__main__":
    main()
