"""Identity over the store: sign-ins slowed but never locked, sessions that end when they
should, API keys found by their exact id; with sessions in the database and in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from qcert import security
from qcert.access import Principal
from qcert.identity import Identity
from qcert.lifecycle import IssueApiKey, OpenAccount, RevokeSessions, SetRoles
from qcert.lifecycle.commands import ChangePassword
from qcert.schemes import RuleViolation
from qcert.security import AuthError, TooManyAttempts
from qcert.store.identity import DbFailures, DbSessions
from tests.services import SYSTEM, make_services

PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("QCERT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def redis_client(url: str = REDIS_URL) -> Any:
    """A client of the Redis database at ``url``; a skip on a laptop without Redis, a failure
    under ``CI=true``."""
    from qcert.store.redis_state import connect

    try:
        return connect(url)
    except Exception as err:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {url}: {err} (CI=true: a failure)")
        pytest.skip(f"Redis is not reachable at {url}: {err}")


@pytest.fixture(params=["database", "redis"])
def stores(request: pytest.FixtureRequest, engine: Any) -> Iterator[tuple[Any, Any]]:
    """Where sessions and failure counts live: the database, or Redis."""
    if request.param == "database":
        yield DbSessions(engine), DbFailures(engine)
        return
    from qcert.store.redis_state import RedisFailures, RedisSessions

    client = redis_client()
    # Keys of this test alone: other test processes (parallel workers, another checkout's run)
    # count sign-ins for the same names and addresses on the same Redis at the same time.
    prefix = f"qcert-test:{uuid.uuid4().hex}:"
    yield RedisSessions(client, prefix), RedisFailures(client, prefix)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def services(engine: Any, tmp_path: Any) -> Any:
    svc = make_services(engine, tmp_path / "data")
    svc.bus.handle(OpenAccount("ann", "Ann", ["planner@body:cb1"], PASSWORD), SYSTEM)
    svc.bus.handle(OpenAccount("bob", "Bob", ["cb-admin@body:cb1"], PASSWORD), SYSTEM)
    return svc


@pytest.fixture
def identity(services: Any, stores: tuple[Any, Any]) -> tuple[Identity, Clock]:
    clock = Clock()
    found = Identity(services.engine, *stores, now=clock)
    services.bus._end_sessions = found.end_sessions  # the bus ends sessions where they live
    return found, clock


def _fail(identity: Identity, name: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthError):
            identity.sign_in(name, "wrong password!", address, "web")


def test_guesses_at_one_account_from_one_address_wait_longer_and_longer(identity):
    ids, clock = identity
    _fail(ids, "ann", "10.0.0.1", 3)  # three are free
    with pytest.raises(TooManyAttempts) as slowed:
        ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    assert slowed.value.retry_after == 1
    clock.now += 1.5
    _fail(ids, "ann", "10.0.0.1", 1)
    with pytest.raises(TooManyAttempts) as slower:
        ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    assert slower.value.retry_after == 2  # doubled
    clock.now += 2.5
    assert ids.sign_in("ann", PASSWORD, "10.0.0.1", "web").token.startswith("qs_")


def test_a_stranger_cannot_lock_a_user_out(identity):
    ids, clock = identity
    # Twenty tries from as many addresses: the stranger runs up the account's own count.
    for n in range(20):
        with pytest.raises((AuthError, TooManyAttempts)):
            ids.sign_in("ann", "wrong password!", f"198.51.100.{n}", "web")
        clock.now += 0.01
    with pytest.raises(TooManyAttempts) as slowed:
        ids.sign_in("ann", PASSWORD, "10.0.0.7", "web")
    assert slowed.value.retry_after <= 10  # the per-account wait is capped at 10 s
    clock.now += 10
    assert ids.sign_in("ann", PASSWORD, "10.0.0.7", "web")  # in at once, from her address


def test_one_guess_at_each_of_forty_names_is_slowed(identity):
    ids, clock = identity
    refused = 0
    for n in range(40):
        try:
            ids.sign_in(f"user{n}", "guess-guess-guess", "203.0.113.9", "web")
        except TooManyAttempts:
            refused += 1
        except AuthError:
            pass
        clock.now += 0.1
    assert refused >= 25  # after ten free guesses the address waits, doubling each time
    # Signing in to one's own account from that address does not buy more guesses.
    clock.now += 600
    ids.sign_in("ann", PASSWORD, "203.0.113.9", "web")
    _fail(ids, "user41", "203.0.113.9", 1)  # the address's count survived Ann's success
    with pytest.raises(TooManyAttempts):
        ids.sign_in("user42", "guess-guess-guess", "203.0.113.9", "web")


def test_failures_are_forgotten_after_the_window(identity):
    ids, clock = identity
    _fail(ids, "ann", "10.0.0.1", 3)
    with pytest.raises(TooManyAttempts):
        ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    clock.now += security.PER_PAIR.window + 1
    _fail(ids, "ann", "10.0.0.1", 3)  # counted from one again: three free ones
    clock.now += 1
    assert ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")


def test_unknown_accounts_and_long_passwords_are_plain_failures(identity):
    ids, _ = identity
    with pytest.raises(AuthError, match="wrong username or password"):
        ids.sign_in("nobody", PASSWORD, "10.0.0.1", "web")
    with pytest.raises(AuthError):
        ids.sign_in("ann", "x" * (1 << 20), "10.0.0.1", "web")


def test_sign_out_ends_the_session_everywhere_it_is_checked(identity):
    ids, _ = identity
    signed = ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    principal, _ = ids.session(signed.token, "web")
    assert principal.account_id == "ann" and principal.session
    ids.sign_out(principal)
    assert ids.session(signed.token, "web") is None
    # A web session is not an API token, nor the reverse.
    api = ids.sign_in("ann", PASSWORD, "10.0.0.1", "api")
    assert ids.session(api.token, "web") is None and ids.session(api.token, "api")


def test_a_password_change_ends_every_other_session_and_asks_for_the_current(identity, services):
    ids, _ = identity
    here = ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    there = ids.sign_in("ann", PASSWORD, "10.0.0.2", "api")
    ann, _ = ids.session(here.token, "web")
    with pytest.raises(RuleViolation, match="current_password"):
        services.bus.handle(ChangePassword("ann", "not the password", "a new password!"), ann)
    assert ids.session(there.token, "api")  # a refused change ends nothing
    services.bus.handle(ChangePassword("ann", PASSWORD, "a new password!"), ann)
    assert ids.session(there.token, "api") is None
    assert ids.session(here.token, "web")  # the session that changed it goes on
    with pytest.raises(AuthError):
        ids.sign_in("ann", PASSWORD, "10.0.0.3", "web")
    assert ids.sign_in("ann", "a new password!", "10.0.0.3", "web")


def test_a_role_change_or_a_revocation_ends_every_session(identity, services):
    ids, _ = identity
    tokens = [ids.sign_in("ann", PASSWORD, "10.0.0.1", kind).token for kind in ("web", "api")]
    bob = Principal("bob", frozenset({("cb-admin", "body:cb1")}))
    services.bus.handle(SetRoles("ann", ["planner@body:cb1", "auditor@body:cb1"]), bob)
    assert [ids.session(t, k) for t, k in zip(tokens, ("web", "api"), strict=True)] == [None] * 2
    again = ids.sign_in("ann", PASSWORD, "10.0.0.1", "web")
    services.bus.handle(RevokeSessions("ann"), bob)  # an administrator's revocation
    assert ids.session(again.token, "web") is None


def test_an_api_key_is_found_by_its_exact_id_only(identity, services):
    ids, _ = identity
    ann = Principal("ann", frozenset({("planner", "body:cb1")}))
    key = services.bus.handle(IssueApiKey("ann", "robot"), ann).reply["api_key"]
    assert ids.by_api_key(key).account_id == "ann"
    key_id = key.split("_")[1]
    for forged in (
        f"qk_{'%' * 16}_{key.split('_', 2)[2]}",  # a pattern that once matched any key
        f"qk_{key_id}_{'A' * 43}",  # the right id, another secret
        key[:-1],
        "qk_" + key_id,
    ):
        assert ids.by_api_key(forged) is None, forged
