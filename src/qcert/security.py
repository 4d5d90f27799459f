"""Secrets: password hashing (argon2id), server-drawn API keys, session tokens and invitation
codes, and how long a sign-in waits after failures. Nothing here touches storage."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import QcertError

__all__ = [
    "MIN_PASSWORD",
    "AuthError",
    "Backoff",
    "TooManyAttempts",
    "commitment",
    "hash_api_key",
    "hash_password",
    "hash_shared",
    "hash_token",
    "new_api_key",
    "new_invitation",
    "new_session_token",
    "split_api_key",
    "split_invitation",
    "verify_api_key",
    "verify_password",
]

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # characters: sign-in reads no more, so no longer one can ever be used
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy() -> str:
    """The hash checked for an account that has none. Made on first use, not on import: every
    process that imports this module (the CLI, the demo's build) would pay for it otherwise."""
    return _hasher.hash("not-a-real-password-at-all")


class AuthError(QcertError):
    """A sign-in or a credential that does not hold."""

    status = 401

    def __init__(self, message: str, message_zh: str = "登录信息无效") -> None:
        super().__init__(message)
        self.zh = message_zh


class TooManyAttempts(QcertError):
    """Sign-ins are being slowed here: try again after ``retry_after`` seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.zh = f"登录失败次数过多，请 {retry_after} 秒后再试"
        self.retry_after = retry_after


def _check_length(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise QcertError(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (12 to 1,024 characters): one made ahead for it by
    :func:`hash_shared` if any is left, else one made now."""
    _check_length(password)
    with _ahead_lock:
        waiting = _ahead.get(password)
        made = waiting.popleft() if waiting else None
        if waiting is not None and not waiting:
            del _ahead[password]
    return made.result() if made is not None else _hasher.hash(password)


# Hashes being made ahead, by password; each entry is taken once, by the next hash_password
# of it (a shared hash is queued once for each account it serves).
_ahead: dict[str, deque[Future[str]]] = {}
_ahead_lock = threading.Lock()


def hash_shared(password: str, count: int) -> None:
    """Start making one argon2id hash of ``password`` on a thread of its own, for all of the
    next ``count`` calls of :func:`hash_password` with it: only for accounts whose shared
    password everyone is told (the demo's, printed with its accounts), when the process has
    other work meanwhile (argon2 runs without the interpreter's lock, on another core). A
    salt each would hide nothing there, and would cost argon2's time and memory ``count``
    times (the demo's 15 accounts: over 2 s of CPU, taken from the build running beside it).
    The hash is what :func:`hash_password` makes, with the same parameters."""
    _check_length(password)
    if count < 1:
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")
    made = pool.submit(_hasher.hash, password)
    pool.shutdown(wait=False)
    with _ahead_lock:
        _ahead.setdefault(password, deque()).extend([made] * count)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash, a dummy one is checked so
    the time taken does not tell whether the account exists."""
    dummy = _dummy()  # whatever the case, so the first check in a process is slow for anyone
    try:
        return _hasher.verify(stored or dummy, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def commitment(secret_hash: str) -> str:
    """What an event records of a stored secret hash: its SHA-256, hex."""
    return hashlib.sha256(secret_hash.encode()).hexdigest()


def _drawn(prefix: str) -> tuple[str, str]:
    # 64 random bits name it (looked up exactly), 256 random bits make it unguessable.
    ident = secrets.token_hex(8)
    return ident, f"{prefix}_{ident}_{secrets.token_urlsafe(32)}"


def _split(prefix: str, text: str) -> tuple[str, str] | None:
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or len(parts[1]) != 16 or len(parts[2]) != 43:
        return None
    if not all(ch in "0123456789abcdef" for ch in parts[1]):
        return None
    return parts[1], parts[2]


def new_api_key() -> tuple[str, str]:
    """A fresh API key as ``(key_id, full key)``; the full key is shown to its owner once."""
    return _drawn("qk")


def split_api_key(key: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed API key, else None."""
    return _split("qk", key)


def new_invitation() -> tuple[str, str]:
    """A fresh invitation as ``(invitation_id, code)``; the code is shown once."""
    return _drawn("qi")


def split_invitation(code: str) -> tuple[str, str] | None:
    return _split("qi", code)


def new_session_token() -> str:
    """A session's bearer secret (256 random bits); only its hash is stored."""
    return "qs_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored name of a session token: SHA-256, hex (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_api_key(key: str) -> str:
    # API keys carry 256 random bits, so a plain SHA-256 is as strong as a slow hash.
    return "sha256$" + hashlib.sha256(key.encode()).hexdigest()


def verify_api_key(stored: str, key: str) -> bool:
    return hmac.compare_digest(stored, hash_api_key(key))


@dataclass(frozen=True)
class Backoff:
    """How long to wait after failures: ``free`` failures cost nothing, then the wait doubles
    from ``base`` seconds up to ``cap``; failures older than ``window`` seconds are forgotten.

    A growing wait with a cap slows guessing without letting a stranger lock anyone out.
    """

    free: int
    base: float
    cap: float
    window: float = 900.0

    def wait(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` before the next attempt."""
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** (failures - self.free))


# One name from one address: guessing one password is slowed hard (1 s doubling to 5 min).
PER_PAIR = Backoff(free=3, base=1.0, cap=300.0)
# One address, whatever the names: one guess on each of many names is slowed just as hard.
PER_ADDRESS = Backoff(free=10, base=1.0, cap=300.0)
# One name, whatever the addresses: a stranger can slow its holder by 10 s at most.
PER_ACCOUNT = Backoff(free=10, base=1.0, cap=10.0)
