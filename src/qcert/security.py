"""Secrets: password hashing (argon2id), API keys, and expiring bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import QcertError

__all__ = [
    "MIN_PASSWORD",
    "SignInLimiter",
    "TokenSigner",
    "TooManyAttempts",
    "commitment",
    "hash_api_key",
    "hash_password",
    "new_api_key",
    "sign_in",
    "split_api_key",
    "verify_api_key",
    "verify_password",
]

MIN_PASSWORD = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AuthError(QcertError):
    status = 401


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (refuses passwords shorter than 12 characters)."""
    if len(password) < MIN_PASSWORD:
        raise QcertError(f"password: at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def commitment(secret_hash: str) -> str:
    """What an event records of a stored secret hash: its SHA-256, hex."""
    return hashlib.sha256(secret_hash.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A fresh API key as ``(key_id, full key)``; the full key is shown to its owner once."""
    key_id = secrets.token_hex(6)
    return key_id, f"qk_{key_id}_{secrets.token_urlsafe(32)}"


def split_api_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "qk" or len(parts[1]) != 12:
        return None
    return parts[1], parts[2]


def hash_api_key(key: str) -> str:
    # API keys carry 256 random bits, so a plain SHA-256 is as strong as a slow hash.
    return "sha256$" + hashlib.sha256(key.encode()).hexdigest()


def verify_api_key(stored: str, key: str) -> bool:
    return hmac.compare_digest(stored, hash_api_key(key))


class TokenSigner:
    """Signs and checks expiring bearer tokens (JWT, HS256) with a secret from the data dir."""

    def __init__(self, secret: bytes, lifetime: timedelta = timedelta(hours=8)) -> None:
        self.secret, self.lifetime = secret, lifetime

    @classmethod
    def from_file(cls, path: Path) -> TokenSigner:
        """The signer whose secret is in ``path``, created (mode 0600) when missing."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        return cls(path.read_bytes())

    def issue(self, account_id: str, now: datetime | None = None) -> tuple[str, int]:
        """A token for ``account_id`` and its lifetime in seconds."""
        now = now or datetime.now(UTC)
        payload = {"sub": account_id, "iat": now, "exp": now + self.lifetime}
        return jwt.encode(payload, self.secret, algorithm="HS256"), int(
            self.lifetime.total_seconds()
        )

    def check(self, token: str) -> str:
        """The account id a valid, unexpired token names; AuthError otherwise."""
        try:
            payload = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired; sign in again") from None
        except jwt.InvalidTokenError:
            raise AuthError("invalid token") from None
        return str(payload["sub"])


class TooManyAttempts(QcertError):
    status = 429


class SignInLimiter:
    """At most ``limit`` failed sign-ins per account per ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def check(self, key: str) -> None:
        q, now = self.failures[key], time.monotonic()
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.limit:
            raise TooManyAttempts(f"too many failed sign-ins for {key}; wait {int(self.window)} s")

    def fail(self, key: str) -> None:
        self.failures[key].append(time.monotonic())


_dummy: list[str] = []


def sign_in(limiter: SignInLimiter, username: str, password: str, stored: str | None) -> None:
    """Accept ``password`` for ``username`` against its ``stored`` hash, or raise AuthError
    (TooManyAttempts after repeated failures)."""
    limiter.check(username)
    if not _dummy:
        _dummy.append(hash_password("not-a-real-password-at-all"))
    # Verify against a dummy hash for unknown users too, so timing does not tell who exists.
    good = verify_password(stored or _dummy[0], password) and stored is not None
    if not good:
        limiter.fail(username)
        raise AuthError("wrong username or password")
