"""Sessions and sign-in failures in Redis (``QCERT_REDIS_URL``), for several workers and hosts.

The same interface as the database's (:mod:`qcert.store.identity`); Redis forgets expired
sessions and stale failure counts by itself (key expiry), so nothing needs clearing.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from .identity import SessionRecord

__all__ = ["RedisFailures", "RedisSessions", "connect"]

_PREFIX = "qcert:"


def connect(url: str) -> Any:
    """A Redis client for ``url`` (redis://host:port/db), checked with a PING."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
    client.ping()
    return client


class RedisSessions:
    """Sessions as Redis hashes that expire with the session, indexed by account."""

    def __init__(self, client: Any, prefix: str = _PREFIX) -> None:
        self.r, self.prefix = client, prefix

    def _key(self, token_hash: str) -> str:
        return f"{self.prefix}s:{token_hash}"

    def _index(self, account_id: str) -> str:
        return f"{self.prefix}as:{account_id}"

    def create(
        self, token_hash: str, account_id: str, kind: str, expires_at: float, now: float
    ) -> SessionRecord:
        record = SessionRecord(account_id, kind, secrets.token_urlsafe(24), expires_at)
        ttl = max(1, math.ceil(expires_at - now))
        pipe = self.r.pipeline()
        pipe.hset(
            self._key(token_hash),
            mapping={
                "account_id": account_id,
                "kind": kind,
                "csrf": record.csrf,
                "exp": expires_at,
            },
        )
        pipe.expire(self._key(token_hash), ttl)
        pipe.sadd(self._index(account_id), token_hash)
        pipe.expire(self._index(account_id), ttl, gt=True)
        pipe.execute()
        return record

    def get(self, token_hash: str, now: float) -> SessionRecord | None:
        found = self.r.hgetall(self._key(token_hash))
        if not found or float(found["exp"]) <= now:
            return None
        return SessionRecord(found["account_id"], found["kind"], found["csrf"], float(found["exp"]))

    def end(self, token_hash: str) -> None:
        found = self.r.hget(self._key(token_hash), "account_id")
        pipe = self.r.pipeline()
        pipe.delete(self._key(token_hash))
        if found:
            pipe.srem(self._index(found), token_hash)
        pipe.execute()

    def end_all(self, account_id: str, keep: str | None = None) -> int:
        index = self._index(account_id)
        ended = 0
        for token_hash in self.r.smembers(index):
            if token_hash == keep:
                continue
            ended += int(self.r.delete(self._key(token_hash)))
            self.r.srem(index, token_hash)
        return ended


# One failure more under a key, starting again when the last one is older than the window
# (atomic, so two workers counting at once lose nothing).
_ADD = """
local last = redis.call('HGET', KEYS[1], 'last_at')
if last and tonumber(last) < tonumber(ARGV[1]) - tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
end
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'last_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisFailures:
    """Failed sign-ins counted per key in Redis; a count is forgotten ``window`` seconds after
    its last failure."""

    def __init__(self, client: Any, prefix: str = _PREFIX) -> None:
        self.r, self.prefix = client, prefix
        self._add = client.register_script(_ADD)

    def _key(self, key: str) -> str:
        return f"{self.prefix}f:{key}"

    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        pipe = self.r.pipeline()
        for key in keys:
            pipe.hmget(self._key(key), "failures", "last_at")
        out = {}
        for key, (failures, last_at) in zip(keys, pipe.execute(), strict=True):
            if failures is not None:
                out[key] = (int(failures), float(last_at))
        return out

    def add(self, keys: list[str], now: float, window: float) -> None:
        for key in keys:
            self._add(keys=[self._key(key)], args=[repr(now), repr(window), math.ceil(window)])

    def clear(self, keys: list[str]) -> None:
        if keys:
            self.r.delete(*(self._key(k) for k in keys))
