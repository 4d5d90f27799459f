"""Bitstring Status List v1.0: the specification's example, bit order, and bad lists."""

import base64
import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcert.credentials.statuslist import (
    MIN_ENTRIES,
    StatusList,
    StatusListError,
    entry,
    list_credential,
)
from tests.conftest import DATA

EXAMPLE = json.loads((DATA / "credentials" / "statuslist" / "example.json").read_text())


def test_the_specification_example_decodes_and_index_94567_is_not_revoked():
    status = StatusList.decode(EXAMPLE["credential"]["credentialSubject"]["encodedList"])
    assert status.size == MIN_ENTRIES
    assert status[int(EXAMPLE["entry"]["statusListIndex"])] is False
    assert not any(status.bits)


def test_the_example_entry_is_what_entry_builds():
    assert (
        entry("https://example.com/credentials/status/3", "revocation", 94567) == EXAMPLE["entry"]
    )


def test_index_zero_is_the_left_most_bit():
    status = StatusList()
    status[0] = True
    status[9] = True
    assert status.bits[:2] == bytes([0b1000_0000, 0b0100_0000])


@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=50))
def test_encoding_round_trips(indices):
    status = StatusList().set_all(indices)
    again = StatusList.decode(status.encode())
    assert {i for i in indices if again[i]} == indices
    assert sum(bin(b).count("1") for b in again.bits) == len(indices)


def test_encoding_is_deterministic_and_unpadded():
    a, b = StatusList().set_all([5, 77]).encode(), StatusList().set_all([77, 5]).encode()
    assert a == b and a.startswith("u") and "=" not in a


def test_credential_shape_follows_the_specification():
    cred = list_credential(
        "https://cb.example/status/1",
        "did:web:cb.example",
        "suspension",
        StatusList().set_all([3]),
        "2026-01-01T00:00:00Z",
    )
    assert cred["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert cred["credentialSubject"]["statusPurpose"] == "suspension"
    assert StatusList.decode(cred["credentialSubject"]["encodedList"])[3] is True


def test_bad_lists_and_indices_are_refused():
    with pytest.raises(StatusListError, match="'u' prefix"):
        StatusList.decode("zabc")
    with pytest.raises(StatusListError, match="not base64url of a GZIP"):
        StatusList.decode("u!!!!")
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        StatusList.decode(short)
    with pytest.raises(StatusListError, match="outside the list"):
        StatusList()[MIN_ENTRIES]
    with pytest.raises(StatusListError, match="revocation or suspension"):
        entry("https://x", "refresh", 1)
