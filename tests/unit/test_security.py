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
