"""Who is signed in, kept in the database: secrets, API keys, sessions, sign-in failures.

Sessions and failure counters live here (or in Redis, :mod:`qcert.store.redis_state`) so that
every worker behind one address sees the same sign-ins: a session ended on one worker is
ended on all, and the sign-in delay holds across them. Neither is a projection: nothing on
the ledger records who is signed in now.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import tables as t

__all__ = [
    "DbFailures",
    "DbSessions",
    "SessionRecord",
    "api_key_holder",
    "invitation_client",
    "password_hash",
    "secret",
]


def secret(conn: Connection, kind: str, id_: str) -> str | None:
    """The stored hash of secret ``kind`` ``id_`` (password, api-key, invitation), or None."""
    s = t.secrets.c
    return conn.execute(sa.select(s.hash).where(s.kind == kind, s.id == id_)).scalar()


def password_hash(conn: Connection, account_id: str) -> str | None:
    """The stored password hash of ``account_id``, or None."""
    return secret(conn, "password", account_id)


def api_key_holder(conn: Connection, key_id: str) -> tuple[str, str] | None:
    """``(account, stored hash)`` of the live API key with exactly this id, or None."""
    k, s = t.api_keys.c, t.secrets.c
    row = conn.execute(
        sa.select(k.account_id, s.hash)
        .join_from(t.api_keys, t.secrets, (s.kind == "api-key") & (s.id == k.key_id))
        .where(k.key_id == key_id)
    ).first()
    return (row[0], row[1]) if row else None


def invitation_client(conn: Connection, invitation_id: str) -> str | None:
    """The organisation an invitation is to, or None."""
    i = t.invitations.c
    return conn.execute(sa.select(i.client_id).where(i.id == invitation_id)).scalar()


@dataclass(frozen=True)
class SessionRecord:
    """A live session: whose, of which kind (web, api, cli), its CSRF token, its end (epoch s)."""

    account_id: str
    kind: str
    csrf: str
    expires_at: float


class DbSessions:
    """Sessions in the database, named by the SHA-256 of their token."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, token_hash: str, account_id: str, kind: str, expires_at: float, now: float
    ) -> SessionRecord:
        """Store a new session (and clear a few expired ones, so the table does not grow)."""
        record = SessionRecord(account_id, kind, secrets.token_urlsafe(24), expires_at)
        s = t.sessions
        with self.engine.begin() as conn:
            stale = sa.select(s.c.id).where(s.c.expires_at < now).limit(100)
            conn.execute(s.delete().where(s.c.id.in_(stale.scalar_subquery())))
            conn.execute(
                s.insert().values(
                    id=token_hash,
                    account_id=account_id,
                    kind=kind,
                    csrf=record.csrf,
                    expires_at=expires_at,
                )
            )
        return record

    def get(self, token_hash: str, now: float) -> SessionRecord | None:
        """The live session named ``token_hash``, or None (also when it has expired)."""
        c = t.sessions.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(c.account_id, c.kind, c.csrf, c.expires_at).where(
                    c.id == token_hash, c.expires_at > now
                )
            ).first()
        return SessionRecord(*row) if row else None

    def end(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.id == token_hash))

    def end_all(self, account_id: str, keep: str | None = None) -> int:
        """End every session of ``account_id`` (but ``keep``); how many were ended."""
        c = t.sessions.c
        where = c.account_id == account_id
        if keep is not None:
            where &= c.id != keep
        with self.engine.begin() as conn:
            return conn.execute(t.sessions.delete().where(where)).rowcount


class DbFailures:
    """Failed sign-ins counted per key (an account, an address, or both), in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        """``key -> (failures, time of the last, epoch s)`` for the keys that have any."""
        f = t.sign_in_failures.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(f.key, f.failures, f.last_at).where(f.key.in_(keys)))
            return {k: (n, at) for k, n, at in rows}

    def add(self, keys: list[str], now: float, window: float) -> None:
        """Count one more failure under each key (starting again after ``window`` seconds)."""
        table, f = t.sign_in_failures, t.sign_in_failures.c
        with self.engine.begin() as conn:
            for key in keys:
                # The update is one statement, so two workers counting at once lose nothing.
                done = conn.execute(
                    table.update()
                    .where(f.key == key)
                    .values(
                        failures=sa.case((f.last_at < now - window, 1), else_=f.failures + 1),
                        last_at=now,
                    )
                ).rowcount
                if not done:
                    try:
                        with conn.begin_nested():
                            conn.execute(table.insert().values(key=key, failures=1, last_at=now))
                    except sa.exc.IntegrityError:
                        conn.execute(
                            table.update()
                            .where(f.key == key)
                            .values(failures=f.failures + 1, last_at=now)
                        )

    def clear(self, keys: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.sign_in_failures.delete().where(t.sign_in_failures.c.key.in_(keys)))
