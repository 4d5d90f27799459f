"""A consumer process in front of the real intake, for the fault tests:
``python -m tests.integration.evidence.intake_consumer --port P --data-dir DIR --database-url U``
(an installation made by the test); ``--writer-process`` stores in a writer process of its
own, as ``qcert evidence consume --writer-process`` does. Prints its counts as JSON when it
stops."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from functools import partial
from pathlib import Path
from typing import Any

from qcert.bootstrap import bootstrap, evidence_writer
from qcert.config import Settings
from qcert.evidence.intake import Message
from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer
from qcert.evidence.writer import WriterProcess


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--once-idle", type=float)
    ap.add_argument("--writer-process", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings.from_env(args.data_dir, args.database_url)
    svc = bootstrap(settings, upgrade=False)
    options = ConsumeOptions(group="", client_id="qcert-test-intake", once_idle=args.once_idle)
    sink: Any = svc.intake
    if args.writer_process:
        sink = WriterProcess(partial(evidence_writer, settings, "arrival"))
    consumer = Consumer(
        sink, Broker("127.0.0.1", args.port), options, message=Message, clock=svc.clock
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    print(json.dumps(consumer.run().as_dict()), flush=True)
    svc.close()


if __name__ == "__main__":  # spawn's children import this module as __mp_main__
    main()
