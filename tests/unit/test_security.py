"""The product's password hashing cost (the rest of the suite hashes at the lightest cost:
see ``light_password_hashes`` in tests/conftest.py)."""

from typing import Any

import pytest

from qcert import security


def test_passwords_are_hashed_with_argon2id_at_the_libraries_recommended_cost(
    light_password_hashes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "_hasher", light_password_hashes)
    stored = security.hash_password("correct horse battery")
    # RFC 9106 section 4, second recommended option: argon2id, t=3, 64 MiB, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert security.verify_password(stored, "correct horse battery")
    assert not security.verify_password(stored, "correct horse batterz")


def test_the_suite_hashes_at_the_lightest_cost_and_still_refuses_a_wrong_password() -> None:
    stored = security.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert security.verify_password(stored, "correct horse battery")
    assert not security.verify_password(stored, "correct horse batterz")


def test_a_shared_hash_serves_the_next_count_accounts_then_each_gets_its_own() -> None:
    password = "told to everyone"
    security.hash_shared(password, 3)
    shared = [security.hash_password(password) for _ in range(3)]
    assert len(set(shared)) == 1  # one hash, one salt, for the three
    assert security.verify_password(shared[0], password)
    assert not security.verify_password(shared[0], password + "!")
    assert password not in security._ahead
    after = security.hash_password(password)
    assert after != shared[0] and security.verify_password(after, password)
    security.hash_shared(password, 0)
    assert password not in security._ahead
    with pytest.raises(security.QcertError, match="password: 12 to 1024"):
        security.hash_shared("short", 2)
