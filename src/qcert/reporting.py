"""Reporting to the supervision hub, by command or by the server's own schedule.

A round for a body: sign the log's checkpoints and have the witnesses cosign them (the hub is
one: :data:`QCERT_WITNESS_POLICY` must name it), take the size the hub cosigned, and send the
body's records since its cursor with their inclusion proofs to that size
(:mod:`qcert.exchange.reporter`). ``qcert serve`` does it every :data:`MINUTES` minutes for
each body of ``QCERT_HUB_REPORTERS``; ``qcert exchange report`` does it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from .errors import QcertError
from .exchange import reporter
from .ledger.hashing import SHA256

__all__ = ["MINUTES", "NotWitnessed", "report", "report_all"]

log = logging.getLogger(__name__)

MINUTES = 10.0  # between two rounds of the schedule


class NotWitnessed(QcertError):
    """The hub is not a witness of this log, or has cosigned nothing of it yet."""


def report(
    services: Any,
    body_id: str,
    key_id: str,
    hub: str,
    client: httpx.Client,
    progress: Callable[[int], None] | None = None,
) -> reporter.Round:
    """One round of ``body_id``'s reports to ``hub`` (its base URL), signed with ``key_id``."""
    hub = hub.rstrip("/")
    witness = next((w for w in services.policy.witnesses if w.url.startswith(hub)), None)
    if witness is None:
        raise NotWitnessed(
            f"--hub: {hub} is no witness in QCERT_WITNESS_POLICY; the hub must witness the log "
            "it is reported from / 监管平台须作为见证方列入 QCERT_WITNESS_POLICY"
        )
    services.schedule.sign_checkpoints()
    size = services.ledger.storage.witnessed_size(SHA256, witness.key.vkey())
    if size == 0:
        raise NotWitnessed(
            f"--hub: {witness.name} has cosigned no checkpoint of this log yet "
            "/ 监管平台尚未见证本日志的任何检查点"
        )
    send = reporter.http_sender(hub, client)
    return reporter.report_round(services, body_id, key_id, hub, send, size, progress)


def report_all(services: Any) -> list[reporter.Round]:
    """A round for each body of ``QCERT_HUB_REPORTERS`` (what the schedule runs); a body that
    fails is logged and tried again next time, the others go on."""
    settings = services.settings
    done = []
    if not settings.hub_url:
        return done
    with httpx.Client(timeout=reporter.TIMEOUT) as client:
        for body_id, key_id in settings.hub_reporters:
            try:
                found = report(services, body_id, key_id, settings.hub_url, client)
            except Exception:  # one body's failure is logged; the next round tries again
                log.exception("reporting %s to %s failed", body_id, settings.hub_url)
                continue
            for problem in found.problems:
                log.warning("reporting %s: %s", body_id, problem)
            done.append(found)
    return done
