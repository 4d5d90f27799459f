"""The message bus: every command of every part, and the one place they are dispatched."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .credentials import commands as credential_commands
from .credentials.commands import IssueCredential, PublishStatus
from .credentials.handlers import HANDLERS as CREDENTIAL_HANDLERS
from .credentials.handlers import NoSigningKey
from .credentials.statuslist import StatusList
from .errors import QcertError
from .ledger.storage import SqlLedgerStorage
from .lifecycle import commands as lifecycle_commands
from .lifecycle import events as ev
from .lifecycle.handlers import HANDLERS as LIFECYCLE_HANDLERS
from .lifecycle.model import status_flags
from .store import status as status_views
from .store.uow import ConcurrentChange, UnitOfWork

log = logging.getLogger(__name__)

__all__ = [
    "ATTEMPTS",
    "HANDLERS",
    "Reconciled",
    "by_name",
    "handle",
    "owed",
    "reconcile",
    "side_effects",
]

HANDLERS = {**LIFECYCLE_HANDLERS, **CREDENTIAL_HANDLERS}

# A side effect that lost a race (two publications of one status list, say) is tried again
# this many times in all; what still fails is left to `qcert credentials reconcile`.
ATTEMPTS = 3

# Events after which a certificate's bits in its body's status lists may have changed.
_STATUS_EVENTS = (
    ev.CertificateSuspended,
    ev.CertificateRestored,
    ev.CertificateWithdrawn,
    ev.CertificateTransferred,
)


def by_name() -> dict[str, type]:
    """Every command by its name on the command line and in the API (``plan-audit``)."""
    names = [*lifecycle_commands.__all__]
    classes = [getattr(lifecycle_commands, n) for n in names]
    classes += [getattr(credential_commands, n) for n in credential_commands.__all__]
    return {re.sub(r"(?<!^)(?=[A-Z])", "-", c.__name__).lower(): c for c in classes}


def handle(command: Any, uow: Any) -> list[int]:
    """Run ``command`` in one unit of work; return the ledger indices of what it recorded.

    After the commit, side effects run in units of work of their own: each certificate
    issued is issued as a credential too, and each status change re-publishes the status
    lists, when the unit of work has a key store and a public host. A side effect that
    lost a race is retried; one that still fails is logged and never undoes the command.
    """
    handler = HANDLERS[type(command)]
    with uow:
        handler(command, uow)
        indices = uow.commit()
    for follow_up in side_effects(uow):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                indices += handle(follow_up, uow.fresh())
                break
            except NoSigningKey as err:
                log.info("no credential issued: %s", err)
                break
            except ConcurrentChange:
                if attempt == ATTEMPTS:
                    log.warning(
                        "side effect %s lost %d races; left to reconcile", follow_up, ATTEMPTS
                    )
            except Exception:  # a side effect must not undo what was committed
                log.exception("side effect %s failed after %s", follow_up, type(command).__name__)
                break
    return indices


def side_effects(uow: Any) -> list[Any]:
    """The commands owed after what ``uow`` recorded (none without a key store and host)."""
    if getattr(uow, "keys", None) is None or not getattr(uow, "host", None):
        return []
    out: list[Any] = []
    changed: list[str] = []
    for _, env in getattr(uow, "recorded", []):
        cid = env.aggregate.split(":", 1)[1]
        if isinstance(env.event, ev.CertificateIssued):
            out.append(IssueCredential(cid, uow.host))
        elif isinstance(env.event, _STATUS_EVENTS) and cid not in changed:
            changed.append(cid)
    if changed:
        out.append(PublishStatus(tuple(changed), uow.host))
    return out


def owed(engine: Any, host: str) -> list[Any]:
    """Side effects the ledger shows are still owed: credentials for certificates (re)issued
    since their newest credential, and status lists that disagree with a certificate's status.
    Every command returned is idempotent, so running one twice does no harm."""
    storage = SqlLedgerStorage(engine)
    with engine.connect() as conn:
        issue = [IssueCredential(cid, host) for cid in status_views.credentials_owed(conn)]
        entries = status_views.status_entries(conn)
        lists: dict[tuple[str, str, int], StatusList | None] = {}
        stale: list[str] = []
        for row in entries:
            for purpose, flag in status_flags(row["status"]).items():
                key = (row["body_id"], purpose, row["status_list"])
                if key not in lists:
                    lists[key] = _latest_bits(conn, storage, *key)
                bits = lists[key]
                if bits is None or bits[row["status_index"]] != flag:
                    stale.append(row["certification_id"])
                    break
    return [*issue, *([PublishStatus(tuple(stale), host)] if stale else [])]


def _latest_bits(
    conn: Any, storage: SqlLedgerStorage, body_id: str, purpose: str, list_no: int
) -> StatusList | None:
    latest = status_views.list_version(conn, body_id, purpose, list_no)
    if latest is None:
        return None
    listed = json.loads(storage.entry(latest["ledger_index"]))
    return StatusList.decode(listed["credentialSubject"]["encodedList"])


@dataclass
class Reconciled:
    """What a reconciliation did: commands run, and those that could not run (with why)."""

    done: list[Any] = field(default_factory=list)
    failed: list[tuple[Any, str]] = field(default_factory=list)


def reconcile(
    make_uow: Callable[[], UnitOfWork],
    host: str,
    progress: Callable[[int, int], None] | None = None,
) -> Reconciled:
    """Run every side effect still owed (see ``owed``), each in a unit of work of its own."""
    report = Reconciled()
    commands = owed(make_uow().engine, host)
    for n, cmd in enumerate(commands, start=1):
        try:
            handle(cmd, make_uow())
            report.done.append(cmd)
        except QcertError as err:
            report.failed.append((cmd, str(err)))
        if progress:
            progress(n, len(commands))
    return report
