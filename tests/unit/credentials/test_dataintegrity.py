"""eddsa-jcs-2022 against the W3C vectors and an implementation written from the spec alone."""

import hashlib
import json
from datetime import UTC, datetime

import base58
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from qcert.credentials import (
    ProofError,
    add_proof,
    did_key,
    multibase_public_key,
    resolve_did_key,
    verify_proof,
)
from tests.conftest import DATA

VECTORS = DATA / "credentials" / "eddsa-jcs-2022"


def _read(name):
    return (VECTORS / name).read_text()


def _secret_key():
    raw = base58.b58decode(json.loads(_read("keyPair.json"))["privateKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def test_the_w3c_signed_credential_verifies():
    signed = json.loads(_read("signedJCS.json"))
    proof = verify_proof(signed, resolve_did_key)
    assert proof["cryptosuite"] == "eddsa-jcs-2022"


def test_signing_the_w3c_unsigned_credential_reproduces_the_vector():
    key = _secret_key()
    assert (
        multibase_public_key(key.public_key())
        == json.loads(_read("keyPair.json"))["publicKeyMultibase"]
    )
    unsigned = json.loads(_read("unsigned.json"))
    config = json.loads(_read("proofConfigJCS.json"))
    created = datetime.fromisoformat(config["created"].replace("Z", "+00:00"))
    signed = add_proof(unsigned, key, config["verificationMethod"], created)
    assert signed == json.loads(_read("signedJCS.json"))
    assert signed["proof"]["proofValue"] == _read("sigBTC58JCS.txt").strip()


def test_intermediate_values_match_the_vectors():
    unsigned = json.loads(_read("unsigned.json"))
    config = json.loads(_read("proofConfigJCS.json"))
    assert rfc8785.dumps(unsigned).decode() == _read("canonDocJCS.txt")
    assert rfc8785.dumps(config).decode() == _read("proofCanonJCS.txt")
    assert hashlib.sha256(rfc8785.dumps(unsigned)).hexdigest() == _read("docHashJCS.txt").strip()
    assert hashlib.sha256(rfc8785.dumps(config)).hexdigest() == _read("proofHashJCS.txt").strip()
    combined = _read("proofHashJCS.txt").strip() + _read("docHashJCS.txt").strip()
    assert combined == _read("combinedHashJCS.txt").strip()


def independent_verify(secured: dict) -> bool:
    """vc-di-eddsa 3.3.2, written from the specification only (no qcert code)."""
    try:
        proof = dict(secured["proof"])
        value = proof.pop("proofValue")
        document = {k: v for k, v in secured.items() if k != "proof"}
        if "@context" in proof:
            mine, theirs = proof["@context"], document.get("@context")
            if theirs[: len(mine)] != mine:  # step 4.1
                return False
            document["@context"] = mine
        digest = (
            hashlib.sha256(rfc8785.dumps(proof)).digest()
            + hashlib.sha256(rfc8785.dumps(document)).digest()
        )
        ident = proof["verificationMethod"].split("#")[0].removeprefix("did:key:")
        if not (value.startswith("z") and ident.startswith("z")):  # multibase base58btc
            return False
        raw = base58.b58decode(ident[1:])
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(base58.b58decode(value[1:]), digest)
        return raw[:2] == b"\xed\x01"
    except Exception:
        return False


def test_our_proofs_verify_independently_and_any_changed_byte_breaks_them():
    key = Ed25519PrivateKey.generate()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:cb.example",
        "credentialSubject": {"id": "urn:qcert:certificate:00126Q30001R0M", "status": "有效"},
    }
    signed = add_proof(credential, key, did_key(key.public_key()), datetime(2026, 1, 1, tzinfo=UTC))
    assert independent_verify(signed)
    text = json.dumps(signed, ensure_ascii=False)
    for i in range(0, len(text), 7):
        changed = text[:i] + ("X" if text[i] != "X" else "Y") + text[i + 1 :]
        try:
            doc = json.loads(changed)
        except ValueError:
            continue
        if doc == signed:
            continue
        assert not independent_verify(doc)
        with pytest.raises((ProofError, ValueError, KeyError, TypeError)):
            verify_proof(doc, resolve_did_key)


def test_wrong_keys_and_malformed_proofs_say_which_check_failed():
    signed = json.loads(_read("signedJCS.json"))
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(ProofError, match="signature does not match"):
        verify_proof(signed, lambda _: other)
    with pytest.raises(ProofError, match="proof: missing"):
        verify_proof({k: v for k, v in signed.items() if k != "proof"}, resolve_did_key)
    bad = {
        **signed,
        "proof": {**signed["proof"], "proofValue": "u" + signed["proof"]["proofValue"][1:]},
    }
    with pytest.raises(ProofError, match="base58btc"):
        verify_proof(bad, resolve_did_key)
    moved = {**signed, "@context": ["https://example.org/other"]}
    with pytest.raises(ProofError, match="does not start with"):
        verify_proof(moved, resolve_did_key)
