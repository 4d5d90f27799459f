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


def test_hashes_made_ahead_are_used_once_each_then_hashing_goes_on_as_before() -> None:
    password = "made ahead of time"
    security.hash_ahead(password, 2)
    assert len(security._ahead[password]) == 2
    first, second, third = (security.hash_password(password) for _ in range(3))
    assert len({first, second, third}) == 3  # a salt of its own each
    assert password not in security._ahead  # nothing kept once used
    for stored in (first, second, third):
        assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # the hasher's parameters
        assert security.verify_password(stored, password)
        assert not security.verify_password(stored, password + "!")
    assert security.verify_password(security.hash_password("another password"), "another password")


def test_a_password_too_short_is_refused_before_hashing_ahead() -> None:
    with pytest.raises(security.QcertError, match="password: 12 to 1024"):
        security.hash_ahead("short", 3)
    assert "short" not in security._ahead
