"""The message bus: every command of every part, checked, authorised and run in one place.

``bus.handle(command, principal)`` validates the command's fields (every input bounded
before anything reads it), asks the one access policy whether ``principal`` may run it on
the record it touches, then runs its handler in a unit of work whose events name the
principal as their actor. After the commit come the side effects, each in a unit of work of
its own: a certificate issued becomes a signed credential, a status change re-publishes the
status lists, an account's password or roles changing ends its sessions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import access
from .access import Principal
from .credentials import commands as credential_commands
from .credentials.commands import IssueCredential, PublishStatus
from .credentials.handlers import HANDLERS as CREDENTIAL_HANDLERS
from .credentials.handlers import NoSigningKey
from .credentials.status_lists import status_flags
from .credentials.statuslist import StatusList
from .errors import QcertError
from .evidence import commands as evidence_commands
from .evidence import monitor_commands
from .evidence.handlers import HANDLERS as EVIDENCE_HANDLERS
from .evidence.monitor_handlers import HANDLERS as MONITOR_HANDLERS
from .ledger.errors import LedgerError
from .ledger.storage import SqlLedgerStorage, SqlWitnessState
from .lifecycle import accounts
from .lifecycle import commands as lifecycle_commands
from .lifecycle import events as ev
from .lifecycle.aggregate import LATE_DAYS
from .lifecycle.handlers import HANDLERS as LIFECYCLE_HANDLERS
from .lifecycle.inputs import validate
from .notices import commands as notice_commands
from .notices.handlers import HANDLERS as NOTICE_HANDLERS
from .store import hub as hub_views
from .store import status as status_views
from .store.cache import AggregateCache
from .store.resources import resource_of
from .store.uow import ConcurrentChange, UnitOfWork
from .supervision import commands as hub_commands
from .supervision import events as hub_events
from .supervision.handlers import HANDLERS as HUB_HANDLERS

log = logging.getLogger(__name__)

__all__ = ["ATTEMPTS", "HANDLERS", "MessageBus", "Outcome", "Reconciled", "by_name"]

HANDLERS = {
    **LIFECYCLE_HANDLERS,
    **CREDENTIAL_HANDLERS,
    **HUB_HANDLERS,
    **EVIDENCE_HANDLERS,
    **MONITOR_HANDLERS,
    **NOTICE_HANDLERS,
}

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
    classes += [getattr(hub_commands, n) for n in hub_commands.__all__]
    classes += [getattr(evidence_commands, n) for n in evidence_commands.__all__]
    classes += [getattr(monitor_commands, n) for n in monitor_commands.__all__]
    classes += [getattr(notice_commands, n) for n in notice_commands.__all__ if n != "Due"]
    return {re.sub(r"(?<!^)(?=[A-Z])", "-", c.__name__).lower(): c for c in classes}


@dataclass(frozen=True)
class Outcome:
    """What a command did: the ledger indices of what it recorded, and what it gives back
    besides (a server-drawn API key or invitation code, shown to the caller once)."""

    indices: list[int]
    reply: dict[str, Any] = field(default_factory=dict)
    # What the platform still owes after this command (a credential that cannot be issued
    # yet, say), in both languages, for the face to show; empty when nothing is owed.
    owed: list[str] = field(default_factory=list)


@dataclass
class Reconciled:
    """What a reconciliation did: commands run, and those that could not run (with why)."""

    done: list[Any] = field(default_factory=list)
    failed: list[tuple[Any, str]] = field(default_factory=list)


class MessageBus:
    """The one way a command is run, whatever face built it."""

    def __init__(
        self,
        engine: Any,
        *,
        keys: Any = None,
        documents: Any = None,
        host: str | None = None,
        clock: Callable[[], datetime] | None = None,
        end_sessions: Callable[[str, str | None], Any] | None = None,
        committed: Callable[[], None] | None = None,
        tz: str = "Asia/Shanghai",
        late_days: int = LATE_DAYS,
        origin: str | None = None,
    ) -> None:
        self.engine, self.keys, self.documents, self.host = engine, keys, documents, host
        self.clock, self.tz, self.late_days = clock, tz, late_days
        self.origin = origin  # this installation's log, which the hub vouches for itself
        self._end_sessions = end_sessions
        self._committed = committed
        self.cache = AggregateCache()  # aggregates this process committed, for the next command

    def handle(self, command: Any, principal: Principal) -> Outcome:
        """Validate ``command``, authorise it for ``principal`` (Forbidden or Unauthenticated
        when the policy refuses), run it and its side effects; what it did."""
        return self._run([validate(command)], principal, check=True)

    def handle_all(self, commands: list[Any], principal: Principal) -> Outcome:
        """Run ``commands`` in order in one unit of work, all or none: each validated and
        authorised as :meth:`handle` would; the first refusal undoes them all. For facts found
        together (a watcher's alarms), which then pay for one transaction, not one each."""
        return self._run([validate(c) for c in commands], principal, check=True)

    def authorized(self, command: Any, principal: Principal) -> None:
        """Check ``command`` as :meth:`handle` would, without running it (a form that stores
        a file first asks this, so a refused upload writes nothing)."""
        command = validate(command)
        with self.engine.connect() as conn:
            resource = resource_of(conn, command)
        access.decide(principal, command, resource)

    def unit_of_work(self, actor: str) -> UnitOfWork:
        """A unit of work acting as ``actor``, with this installation's adapters."""
        uow = UnitOfWork(
            self.engine,
            actor,
            self.tz,
            keys=self.keys,
            host=self.host,
            clock=self.clock,
            documents=self.documents,
            cache=self.cache,
        )
        uow.late_days = self.late_days
        uow.origin = self.origin
        return uow

    def _run(self, commands: list[Any], principal: Principal, check: bool = False) -> Outcome:
        """Run ``commands`` in one unit of work and then their side effects; with ``check``,
        each after the access policy allowed it on the record as this transaction reads it
        (a side effect is owed by rule, not asked for, and is not checked)."""
        uow = self.unit_of_work(principal.account_id)
        owners: dict[str, str | None] = {}  # devices' organisations, looked up once
        with uow:
            for command in commands:
                if check:
                    # In the command's own transaction: no transaction of its own to open and
                    # roll back (on PostgreSQL a rollback also drops the connection's prepared
                    # statements), and the record decided on is the one the command changes.
                    assert uow.conn is not None
                    access.decide(principal, command, resource_of(uow.conn, command, owners))
                HANDLERS[type(command)](command, uow)
            indices = uow.commit()
        if indices and self._committed is not None:
            self._committed()
        self._sessions_after(uow.recorded, principal)
        self._follow_after(uow.recorded)
        owed = self._owed_after(uow.recorded)
        for follow_up in self.side_effects(uow.recorded):
            done, why = self._side_effect(follow_up, principal)
            indices += done
            owed += [why] if why else []
        return Outcome(indices, uow.reply, owed)

    def log_refused(self, origin: str, held: int, offered: int, reason: str) -> None:
        """The hub's witness refused a fork or split view of ``origin``: record it on every
        enrolled body keeping that log, as the platform itself."""
        with self.engine.connect() as conn:
            bodies = hub_views.bodies_of_origin(conn, origin)
        for body_id in bodies:
            command = hub_commands.FlagLog(body_id, origin[:200], held, offered, reason[:500])
            self.handle(command, Principal.system("witness"))

    def _follow_after(self, recorded: list[tuple[int, ev.Envelope]]) -> None:
        """A body enrolled at this hub has its log followed by the hub's witness (both trees),
        so a body that rolls back or forks its log is caught; its own log it need not follow."""
        for _, env in recorded:
            e = env.event
            if not isinstance(e, hub_events.BodyEnrolled) or e.origin == self.origin:
                continue
            state = SqlWitnessState(self.engine)
            keys = e.vkey.split("\n")
            for origin, suite in ((e.origin, "sha256"), (e.origin + "/sm3", "sm3")):
                try:
                    state.follow(origin, keys, suite)
                except LedgerError as err:  # followed already, or keys of one suite only
                    log.info("witness: not following %s (%s): %s", origin, suite, err)

    def _owed_after(self, recorded: list[tuple[int, ev.Envelope]]) -> list[str]:
        """Credentials a certificate issued here cannot get yet: no key store or host."""
        issued = [
            env.aggregate.split(":", 1)[1]
            for _, env in recorded
            if isinstance(env.event, ev.CertificateIssued)
        ]
        if not issued or (self.keys is not None and self.host):
            return []
        return [
            f"{cid}: its credential is owed until the platform knows its public host "
            "(QCERT_PUBLIC_HOST); `qcert serve` or `qcert credentials reconcile` issues it / "
            f"{cid}：未配置公网主机（QCERT_PUBLIC_HOST），电子证书待签发；"
            "`qcert serve` 或 `qcert credentials reconcile` 将补签"
            for cid in issued
        ]

    def _sessions_after(
        self, recorded: list[tuple[int, ev.Envelope]], principal: Principal
    ) -> None:
        """An account whose password changed keeps only the session that changed it; one
        whose roles changed, or whose sessions were revoked, keeps none."""
        if self._end_sessions is None:
            return
        for _, env in recorded:
            account = env.aggregate.split(":", 1)[1]
            if isinstance(env.event, accounts.PasswordChanged):
                keep = principal.session if principal.account_id == account else None
                self._end_sessions(account, keep)
            elif isinstance(env.event, accounts.RolesChanged | accounts.SessionsRevoked):
                self._end_sessions(account, None)

    def _side_effect(self, command: Any, principal: Principal) -> tuple[list[int], str]:
        """Run a side effect: the indices it recorded, and why not when it could not."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                # Owed by rule, not asked for: the platform does it, in the caller's name.
                return self._run([command], principal).indices, ""
            except NoSigningKey as err:
                log.info("no credential issued: %s", err)
                return [], ""
            except ConcurrentChange:
                if attempt == ATTEMPTS:
                    log.warning(
                        "side effect %s lost %d races; left to reconcile", command, ATTEMPTS
                    )
            except QcertError as err:
                log.warning("side effect %s not done: %s", command, err)
                return [], f"{_name(command)}: {err}"
            except Exception:  # a side effect must not undo what was committed
                log.exception("side effect %s failed", command)
                return [], f"{_name(command)}: failed; `qcert credentials reconcile` retries it"
        return [], f"{_name(command)}: left to `qcert credentials reconcile`"

    def side_effects(self, recorded: list[tuple[int, ev.Envelope]]) -> list[Any]:
        """The commands owed after ``recorded``: with a key store, the status lists a status
        change touched (each at the address it has, whatever this face's host), and with a
        public host too, a credential for a certificate issued."""
        if self.keys is None:
            return []
        out: list[Any] = []
        changed: list[str] = []
        for _, env in recorded:
            cid = env.aggregate.split(":", 1)[1]
            if isinstance(env.event, ev.CertificateIssued):
                if self.host:
                    out.append(IssueCredential(cid))
            elif isinstance(env.event, _STATUS_EVENTS) and cid not in changed:
                changed.append(cid)
        if changed:
            out.append(PublishStatus(tuple(changed)))
        return out

    # -- what is still owed --------------------------------------------------

    def owed(self) -> list[Any]:
        """Side effects the ledger shows are still owed: credentials for certificates
        (re)issued since their newest credential, and status lists that disagree with a
        certificate's status. Every command returned is idempotent."""
        storage = SqlLedgerStorage(self.engine)
        with self.engine.connect() as conn:
            issue = (
                [IssueCredential(cid) for cid in status_views.credentials_owed(conn)]
                if self.host
                else []
            )
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
        return [*issue, *([PublishStatus(tuple(stale))] if stale else [])]

    def reconcile(self, progress: Callable[[int, int], None] | None = None) -> Reconciled:
        """Run every side effect still owed, each in a unit of work of its own, as the
        platform itself (``system:reconcile``)."""
        report = Reconciled()
        if self.keys is None:
            return report
        commands = self.owed()
        actor = Principal.system("reconcile")
        for n, cmd in enumerate(commands, start=1):
            try:
                self._run([cmd], actor)
                report.done.append(cmd)
            except QcertError as err:
                report.failed.append((cmd, str(err)))
            if progress:
                progress(n, len(commands))
        return report


def _name(command: Any) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type(command).__name__).lower()


def _latest_bits(
    conn: Any, storage: SqlLedgerStorage, body_id: str, purpose: str, list_no: int
) -> StatusList | None:
    latest = status_views.list_version(conn, body_id, purpose, list_no)
    if latest is None:
        return None
    listed = json.loads(storage.entry(latest["ledger_index"]))
    return StatusList.decode(listed["credentialSubject"]["encodedList"])
