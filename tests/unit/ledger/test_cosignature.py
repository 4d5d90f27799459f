"""Witness cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1) against the published
vectors, and the rules around them."""

import hashlib
import json

import pytest

from qcert.ledger import KeyFormatError, SignatureError, generate_ed25519, parse_verifier, sign_note
from qcert.ledger.cosignature import (
    CosignatureSigner,
    cosign,
    cosignatures,
    generate_cosigner,
    parse_cosigner,
    parse_cosigner_skey,
)
from tests.conftest import DATA

VECTORS = json.loads((DATA / "ledger" / "cosignature.json").read_text())
CASES = VECTORS["cosignatures"]


def _signer(case) -> CosignatureSigner:
    seed = hashlib.sha256(case["seed_string"].encode()).digest()
    return CosignatureSigner(case["name"], seed, clock=lambda: VECTORS["timestamp"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_published_cosignatures_are_reproduced_byte_for_byte(case):
    signer = _signer(case)
    assert signer.verifier().vkey() == case["vkey"]
    assert cosign(signer, case["text"]) == case["line"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_published_cosignatures_verify_with_their_timestamp(case):
    witness = parse_cosigner(case["vkey"])
    note = case["text"] + "\n" + case["line"]
    (found,) = cosignatures(note, [witness], now=VECTORS["timestamp"])
    assert (found.witness, found.timestamp) == (witness, VECTORS["timestamp"])


def test_a_cosignature_covers_every_line_of_the_checkpoint():
    case = CASES[0]
    witness = parse_cosigner(case["vkey"])
    for forged in (
        case["text"].replace("300", "301"),
        case["text"] + "an extension line\n",
    ):
        with pytest.raises(SignatureError, match="invalid cosignature"):
            cosignatures(forged + "\n" + case["line"], [witness], now=VECTORS["timestamp"])


def test_cosignatures_by_unknown_witnesses_are_ignored_not_counted():
    case = CASES[0]
    stranger = generate_cosigner("witness.example.org")  # same name, another key
    note = case["text"] + "\n" + case["line"]
    assert cosignatures(note, [stranger.verifier()], now=VECTORS["timestamp"]) == []


def test_a_cosignature_from_the_future_is_refused():
    case = CASES[0]
    witness = parse_cosigner(case["vkey"])
    with pytest.raises(SignatureError, match="in the future"):
        cosignatures(case["text"] + "\n" + case["line"], [witness], now=VECTORS["timestamp"] - 3600)


def test_the_timestamp_is_never_zero_and_comes_from_the_clock():
    signer = CosignatureSigner("w.example", b"\x01" * 32, clock=lambda: 0.4)
    assert int.from_bytes(signer.sign(b"x\n1\n" + b"=" * 4)[:8], "big") == 1


def test_witness_keys_and_log_keys_never_stand_in_for_each_other():
    witness = generate_cosigner("w.example")
    log = generate_ed25519("log.example")
    with pytest.raises(KeyFormatError, match="witness's cosignature key"):
        parse_verifier(witness.verifier().vkey())
    with pytest.raises(KeyFormatError, match="not a cosignature key"):
        parse_cosigner(log.verifier().vkey())
    # A log signature line is not a cosignature, even under the witness's name.
    text = "log.example\n1\n" + "A" * 43 + "=\n"
    note = sign_note(text, [generate_ed25519("w.example")])
    assert cosignatures(note, [witness.verifier()]) == []


def test_signing_keys_round_trip_and_are_checked():
    signer = generate_cosigner("w.example")
    again = parse_cosigner_skey(signer.skey())
    assert again.verifier() == signer.verifier()
    broken = signer.skey()[:-2] + ("A=" if not signer.skey().endswith("A=") else "B=")
    with pytest.raises(KeyFormatError):
        parse_cosigner_skey(broken)
