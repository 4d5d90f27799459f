"""``qcert evidence consume``: the MQTT consumer of real-time process data, as a daemon."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Annotated, Any

import typer

from ..access import decide
from ..errors import QcertError
from ._common import console, errors, principal, print_json, services, settings
from ._words import both, two_lines


@errors
def consume(
    ctx: typer.Context,
    broker: Annotated[
        str | None,
        typer.Option("--broker", help="mqtt://host:port (QCERT_MQTT_URL) / MQTT 代理地址"),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", help="Consumer group; '' for none (QCERT_MQTT_GROUP) / 消费组"),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id", help="Fixed MQTT client id (QCERT_MQTT_CLIENT_ID) / 客户端标识"
        ),
    ] = None,
    max_messages: Annotated[
        int | None,
        typer.Option(min=1, help="Stop after taking this many messages / 处理若干条后退出"),
    ] = None,
    once_idle: Annotated[
        float | None,
        typer.Option(min=0.1, max=86400, help="Stop after this many seconds without a message"),
    ] = None,
    anchor_every: Annotated[
        float,
        typer.Option(
            min=0,
            max=3600,
            help="Anchor due windows every this many seconds; 0: never, another process "
            "runs `qcert evidence anchor --every` / 固化间隔（秒），0 表示由另一进程固化",
        ),
    ] = 1.0,
    writer_process: Annotated[
        bool,
        typer.Option(
            "--writer-process",
            help="Hash, store, score and anchor in a second process while this one reads and "
            "checks the next batch (two cores) / 由第二个进程写入、评分和固化",
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Counts as JSON when it stops")] = False,
) -> None:
    """Take process data readings from the MQTT broker into the store, acknowledging each
    message once it is durable, and anchor due windows (unless --anchor-every 0), until
    SIGTERM or SIGINT (then it finishes the batch in hand). Logs its counts every 10 s. /
    从 MQTT 代理接收过程数据。

    With --writer-process, a second process stores, scores and anchors each batch while this
    one reads and checks the next; a message is still acknowledged only once the
    writer has committed it."""
    from ..config import mqtt_settings, score_mode
    from ..evidence.intake import Message
    from ..evidence.mqtt import (
        BrokerUrlInvalid,
        ConsumeOptions,
        Consumer,
        parse_broker_url,
        settle_collector,
    )
    from ..evidence.writer import WriterGone

    decide(principal(ctx), "evidence.consume")
    cfg = settings(ctx)
    url, group, client_id = mqtt_settings(
        broker or cfg.mqtt_url,
        cfg.mqtt_group if group is None else group,
        client_id or cfg.mqtt_client_id,
    )
    try:
        where = parse_broker_url(url)
    except BrokerUrlInvalid as err:
        raise QcertError(two_lines("evidence.broker", error=err.en, error_zh=err.zh)) from None
    svc = services(ctx)
    if svc.intake is None:
        raise QcertError(both("evidence.no_intake"))
    if svc.watcher is not None:
        # A group splits each device's readings between processes: each scores the settled
        # readings from the store, whoever stored them (QCERT_EVIDENCE_SCORE overrides).
        svc.watcher.mode = score_mode(cfg.evidence_score, group)
    log = logging.getLogger("qcert.evidence.mqtt")
    if not log.handlers:  # a daemon's log: counts and connections, on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    options = ConsumeOptions(
        group=group,
        client_id=client_id,
        max_messages=max_messages,
        once_idle=once_idle,
        anchor_seconds=anchor_every,
    )
    sink: Any = svc.intake
    if writer_process:
        sink = _writer(cfg, svc.watcher.mode if svc.watcher is not None else "arrival")
    consumer = Consumer(sink, where, options, message=Message, clock=svc.clock)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: consumer.stop())
    log.info(
        "consuming %s from %s as %s, scoring %s readings%s",
        options.group or "(no group)",
        where,
        client_id,
        svc.watcher.mode if svc.watcher is not None else "no",
        f", writing in process {sink.pid}" if writer_process else "",
    )
    settle_collector()
    try:
        counts = consumer.run().as_dict()
    except WriterGone as err:  # nothing it did not commit was acknowledged
        raise QcertError(two_lines("evidence.writer", error=err.en, error_zh=err.zh)) from None
    if json_:
        print_json(counts)
    else:
        console.print(
            both(
                "evidence.consumed",
                messages=counts["messages"],
                stored=counts["stored"],
                duplicates=counts["duplicates"],
                refused=counts["refused"],
            )
        )


def _writer(cfg: Any, mode: Any) -> Any:
    """The writer process (``--writer-process``), its services built there from ``cfg``."""
    from functools import partial

    from ..bootstrap import evidence_writer
    from ..evidence.writer import WriterGone, WriterProcess

    try:
        return WriterProcess(partial(evidence_writer, cfg, mode))
    except WriterGone as err:
        raise QcertError(two_lines("evidence.writer", error=err.en, error_zh=err.zh)) from None
