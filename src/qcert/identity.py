"""Identity: signing in and out, and finding the principal behind a session token or API key.

One service for every face: the web's cookie, the API's bearer token and the command line's
saved token are all server-side sessions, ended at once by sign-out, a password change, a
role change or an administrator's revocation. API keys are drawn by the server, found by
their exact id and checked against their stored hash. Sign-ins are slowed, never locked:
each failure makes the next attempt wait longer, per account name, per client address and
per pair of both (:data:`qcert.security.PER_PAIR` and its siblings).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from . import security
from .access import Principal
from .security import PER_ACCOUNT, PER_ADDRESS, PER_PAIR, AuthError, TooManyAttempts
from .store import identity as store
from .store.identity import SessionRecord
from .store.resources import account_roles

__all__ = ["LIFETIMES", "Identity", "SignedIn"]

# How long a session lasts, by kind (seconds): a browser's working day, an API client's
# bearer token, a command line's saved sign-in.
LIFETIMES = {"web": 8 * 3600, "api": 8 * 3600, "cli": 7 * 24 * 3600}


class Sessions(Protocol):
    def create(
        self, token_hash: str, account_id: str, kind: str, expires_at: float, now: float
    ) -> SessionRecord: ...
    def get(self, token_hash: str, now: float) -> SessionRecord | None: ...
    def end(self, token_hash: str) -> None: ...
    def end_all(self, account_id: str, keep: str | None = None) -> int: ...


class Failures(Protocol):
    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]: ...
    def add(self, keys: list[str], now: float, window: float) -> None: ...
    def clear(self, keys: list[str]) -> None: ...


@dataclass(frozen=True)
class SignedIn:
    """A new session: its token (shown to its holder once) and what is stored of it."""

    token: str
    session: SessionRecord

    @property
    def lifetime(self) -> int:
        return max(0, int(self.session.expires_at - time.time()))


class Identity:
    """Sign-in, sessions and API keys over the store, the session store and failure counts."""

    def __init__(
        self,
        engine: sa.Engine,
        sessions: Sessions,
        failures: Failures,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.engine, self.sessions, self.failures, self.now = engine, sessions, failures, now

    # -- signing in and out --------------------------------------------------

    def sign_in(self, username: str, password: str, address: str, kind: str) -> SignedIn:
        """Check ``password`` for ``username`` signing in from ``address``; a new session of
        ``kind``. TooManyAttempts (429) while failures make it wait; AuthError (401) when
        wrong, saying nothing of whether the account exists."""
        if kind not in LIFETIMES:
            raise ValueError(f"unknown session kind {kind!r}")
        keys = _keys(username, address)
        now = self.now()
        wait = self._wait(keys, now)
        if wait > 0:
            raise TooManyAttempts(math.ceil(wait))
        with self.engine.connect() as conn:
            stored = store.password_hash(conn, username) if len(username) <= 64 else None
        if len(password) > security.MAX_PASSWORD or not security.verify_password(stored, password):
            self.failures.add(list(keys.values()), now, PER_PAIR.window)
            raise AuthError("wrong username or password", "用户名或密码错误")
        # The address's count is not cleared: signing in to one's own account must not buy
        # another round of guesses at others'.
        self.failures.clear([keys["pair"], keys["account"]])
        return self.start(username, kind)

    def start(self, account_id: str, kind: str) -> SignedIn:
        """A new session of ``kind`` for ``account_id`` (who has proved who they are)."""
        token = security.new_session_token()
        now = self.now()
        record = self.sessions.create(
            security.hash_token(token), account_id, kind, now + LIFETIMES[kind], now
        )
        return SignedIn(token, record)

    def _wait(self, keys: dict[str, str], now: float) -> float:
        found = self.failures.read(list(keys.values()))
        wait = 0.0
        for name, backoff in (
            ("pair", PER_PAIR),
            ("address", PER_ADDRESS),
            ("account", PER_ACCOUNT),
        ):
            if keys[name] in found:
                failures, last = found[keys[name]]
                if now - last <= backoff.window:
                    wait = max(wait, last + backoff.wait(failures) - now)
        return wait

    def sign_out(self, principal: Principal) -> None:
        """End the session the principal came with (nothing for an API key)."""
        if principal.session:
            self.sessions.end(principal.session)

    def end_sessions(self, account_id: str, keep: str | None = None) -> int:
        """End every session of ``account_id`` but ``keep``; how many ended."""
        return self.sessions.end_all(account_id, keep)

    # -- who is asking -------------------------------------------------------

    def session(self, token: str, kind: str) -> tuple[Principal, SessionRecord] | None:
        """The principal of a live session token of ``kind``, with its session; else None."""
        if not token.startswith("qs_") or len(token) > 100:
            return None
        name = security.hash_token(token)
        record = self.sessions.get(name, self.now())
        if record is None or record.kind != kind:
            return None
        found = self.principal(record.account_id, name)
        return (found, record) if found else None

    def by_api_key(self, key: str) -> Principal | None:
        """The principal of a live API key, found by its exact id; None otherwise."""
        parts = security.split_api_key(key)
        if parts is None:
            return None
        with self.engine.connect() as conn:
            found = store.api_key_holder(conn, parts[0])
        if found is None or not security.verify_api_key(found[1], key):
            return None
        return self.principal(found[0])

    def principal(self, account_id: str, session: str | None = None) -> Principal | None:
        """The account's principal with the roles it holds now, or None if it is gone."""
        with self.engine.connect() as conn:
            roles = account_roles(conn, account_id)
        return None if roles is None else Principal(account_id, roles, "account", session)


def _keys(username: str, address: str) -> dict[str, str]:
    name, where = username[:64], address[:64]
    return {"pair": f"pair:{name}|{where}", "address": f"addr:{where}", "account": f"acct:{name}"}
