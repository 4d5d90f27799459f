"""The one place where settings become wired objects: built once, handed to every face.

A face (the API and its pages, the command line) asks for :func:`bootstrap` and uses what it
gets: the engine, the ledger, the key and document stores, the clock, the identity service and
the bus. No face constructs any of them itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.engine import Engine

from .access import Principal
from .bus import MessageBus
from .clocks import Clocks
from .config import Settings, score_mode
from .credentials.keystore import KeyStore
from .evidence.intake import Intake
from .evidence.monitor_handlers import bundled_graph
from .evidence.scoring import Finding
from .evidence.watch import Anchor, Watcher, command_for
from .identity import Identity
from .keys import load_signers, load_witness_key
from .ledger import Ledger
from .ledger.hashing import SHA256
from .ledger.storage import SqlLedgerStorage, SqlWitnessState
from .ledger.witness import Witness
from .notices.mail import Mailer, smtp_settings
from .notifying import Notifier
from .reporting import report_all
from .schedule import Schedule
from .store import create_engine, migrate
from .store.answers import AnswerCache, store_version
from .store.documents import DocumentStore
from .store.identity import DbFailures, DbSessions
from .store.watch import StoreWatch
from .witnessing import Policy, load_policy

__all__ = ["Services", "bootstrap"]


@dataclass
class Services:
    """Everything a face needs, wired once from the settings."""

    settings: Settings
    engine: Engine
    ledger: Ledger
    keys: KeyStore
    documents: DocumentStore
    identity: Identity
    bus: MessageBus
    schedule: Schedule
    clock: Callable[[], datetime]
    answers: AnswerCache
    appended: list[int] = field(default_factory=list)  # commits since the last signing
    policy: Policy = field(default_factory=Policy)  # the witnesses this log asks
    witness_state: SqlWitnessState | None = None  # the logs this installation witnesses
    witness: Witness | None = None  # ... and the witness, once it has a key
    intake: Intake | None = None  # process data readings in, due windows anchored
    watcher: Watcher | None = None  # ... and scored by each device's monitor as they come
    notifier: Notifier | None = None  # notices of what is due, in the workspace and by e-mail

    @property
    def public_host(self) -> str | None:
        """The host credentials and status lists name (bodies' did:web domain), if known."""
        return self.settings.public_host

    def sign_if_appended(self) -> None:
        """Sign checkpoints now if this process committed anything (a command line has no
        schedule running: it signs what it appended before it exits)."""
        if self.appended:
            self.schedule.sign_checkpoints()
            self.appended.clear()

    def close(self) -> None:
        """Stop the schedule and release the database's connections."""
        self.schedule.stop()
        self.engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def _base_url(host: str | None) -> str:
    """Where the links of e-mailed notices point: the public host (plain http for this
    machine's own addresses, which serve no TLS), else nowhere (paths only)."""
    if not host:
        return ""
    local = host.split(":")[0] in ("127.0.0.1", "localhost", "::1", "[::1]")
    return f"{'http' if local else 'https'}://{host}"


def _recorder(bus: MessageBus) -> Callable[[Finding, Anchor], None]:
    """How the watcher records an alarm: through the bus, as the platform's own watcher."""
    watch = Principal.system("watch")

    def record(finding: Finding, anchor: Anchor) -> None:
        bus.handle(command_for(finding, anchor), watch)

    return record


def _all_recorder(bus: MessageBus) -> Callable[[list[tuple[Finding, Anchor]]], None]:
    """How the watcher records the alarms it found together: in one unit of work."""
    watch = Principal.system("watch")

    def record_all(found: list[tuple[Finding, Anchor]]) -> None:
        bus.handle_all([command_for(f, a) for f, a in found], watch)

    return record_all


def _documents(settings: Settings) -> DocumentStore:
    """The document store the settings ask for: a bucket of an S3-compatible object store
    (QCERT_S3_BUCKET), else the data directory's ``documents/``."""
    if settings.s3_bucket:
        from .store.objects import S3Blobs

        return DocumentStore(
            S3Blobs(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
        )
    return DocumentStore(settings.documents_dir)


def bootstrap(
    settings: Settings,
    *,
    upgrade: bool = True,
    clock: Callable[[], datetime] | None = None,
    engine: Engine | None = None,
) -> Services:
    """The installation's services: its database (migrated to the latest schema unless
    ``upgrade`` is False), signing keys (``qcert init`` made them), stores, identity and bus.

    ``clock`` is what events and signatures call now (the demo drives its own); ``engine``
    reuses an engine already open on ``settings.database_url``.
    """
    signers = load_signers(settings.keys_dir)
    policy = load_policy(settings.witness_policy)
    engine = engine or create_engine(settings.database_url)
    if upgrade:
        migrate(engine)
    ledger = Ledger(
        SqlLedgerStorage(engine),
        signers[0].name,
        signers,
        witnesses=[w.key for w in policy.witnesses],
        quorum=policy.quorum,
    )
    if settings.redis_url:
        from .store.redis_state import RedisFailures, RedisSessions, connect

        client = connect(settings.redis_url)
        identity = Identity(engine, RedisSessions(client), RedisFailures(client))
    else:
        identity = Identity(engine, DbSessions(engine), DbFailures(engine))
    keys = KeyStore(settings.keys_dir / "bodies")
    documents = _documents(settings)
    clock = clock or _now
    appended: list[int] = []
    bus = MessageBus(
        engine,
        keys=keys,
        documents=documents,
        host=settings.public_host,
        clock=clock,
        end_sessions=identity.end_sessions,
        committed=lambda: appended.append(1),
        late_days=settings.late_days,
        origin=ledger.origin_of(SHA256),
    )
    schedule = Schedule(ledger, policy, clocks=Clocks(bus, clock, settings.clock_hours))
    answers = AnswerCache(store_version(engine))
    witness_key = load_witness_key(settings.keys_dir)
    state = SqlWitnessState(engine)
    witness = Witness(witness_key, state.log, state) if witness_key is not None else None
    services = Services(
        settings,
        engine,
        ledger,
        keys,
        documents,
        identity,
        bus,
        schedule,
        clock,
        answers,
        appended,
        policy,
        state,
        witness,
    )
    services.intake = Intake(
        engine,
        clock,
        bus=bus,
        window_seconds=settings.evidence_window,
        grace_seconds=settings.evidence_grace,
        idle_seconds=settings.evidence_idle,
    )
    schedule.anchor = services.intake.anchor_due
    mode = score_mode(settings.evidence_score)
    services.watcher = Watcher(
        StoreWatch(engine), _recorder(bus), bundled_graph, mode, _all_recorder(bus)
    )
    services.intake.watcher = services.watcher
    smtp = smtp_settings(settings.smtp_url, settings.smtp_from)
    services.notifier = Notifier(
        bus,
        clock,
        Mailer(smtp) if smtp is not None else None,
        _base_url(settings.public_host),
    )
    schedule.notify = services.notifier.run
    if settings.hub_url:
        schedule.report = lambda: report_all(services)
    return services


def evidence_writer(
    settings: Settings, mode: Literal["arrival", "settled"]
) -> tuple[Intake, Callable[[], None]]:
    """A writer process's intake (``qcert evidence consume --writer-process``): the
    installation's services built in that process, its watcher scoring in ``mode``
    (``arrival`` or ``settled``), and what to call when it stops (sign what it appended,
    then close)."""
    services = bootstrap(settings, upgrade=False)
    assert services.intake is not None and services.watcher is not None
    services.watcher.mode = mode

    def finish() -> None:
        services.sign_if_appended()
        services.close()

    return services.intake, finish
