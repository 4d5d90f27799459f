"""W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite (vc-di-eddsa v1.0 3.3).

Canonical form is JSON Canonicalization (RFC 8785), so no JSON-LD context is
fetched or expanded to sign or to verify.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..ledger.canonical import canonical_json

__all__ = [
    "CRYPTOSUITE",
    "ProofError",
    "add_proof",
    "did_key",
    "multibase_public_key",
    "public_key_from_multibase",
    "resolve_did_key",
    "verify_proof",
]

CRYPTOSUITE = "eddsa-jcs-2022"
_ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, varint-encoded


class ProofError(Exception):
    """A Data Integrity proof that is missing, malformed or does not verify; says which check."""


def multibase_public_key(key: Ed25519PublicKey) -> str:
    """``z`` + base58btc(0xed01 || key): the Multikey form of an Ed25519 public key."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB + raw).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey ``publicKeyMultibase`` value."""
    if not value.startswith("z"):
        raise ProofError("publicKeyMultibase must be base58btc ('z' prefix)")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("publicKeyMultibase is not base58btc") from None
    if raw[:2] != _ED25519_PUB or len(raw) != 34:
        raise ProofError("publicKeyMultibase is not an Ed25519 public key (multicodec 0xed01)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_key(key: Ed25519PublicKey) -> str:
    """The did:key verification method of an Ed25519 public key (``did:key:z6Mk…#z6Mk…``)."""
    value = multibase_public_key(key)
    return f"did:key:{value}#{value}"


def resolve_did_key(method: str) -> Ed25519PublicKey:
    """The public key a ``did:key`` verification method names, without any network."""
    if not method.startswith("did:key:z"):
        raise ProofError(f"verificationMethod {method!r} is not a did:key")
    ident, _, fragment = method[len("did:key:") :].partition("#")
    if fragment and fragment != ident:
        raise ProofError("verificationMethod: did:key fragment must repeat the key")
    return public_key_from_multibase(ident)


def _contexts(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _hash_data(document: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
    # vc-di-eddsa 3.3.4: SHA-256(canonical proof config) || SHA-256(canonical document).
    return (
        hashlib.sha256(canonical_json(proof_config)).digest()
        + hashlib.sha256(canonical_json(document)).digest()
    )


def add_proof(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """``document`` with an eddsa-jcs-2022 ``proof`` (vc-di-eddsa 3.3.1)."""
    unsecured = {k: v for k, v in copy.deepcopy(dict(document)).items() if k != "proof"}
    when = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": when.isoformat().replace("+00:00", "Z"),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(unsecured, config))
    # The proof keeps the @context it was made with (vc-di-eddsa 3.3.1 step 6).
    proof = config | {"proofValue": "z" + base58.b58encode(signature).decode()}
    return unsecured | {"proof": proof}


def verify_proof(
    secured: Mapping[str, Any], resolve: Callable[[str], Ed25519PublicKey]
) -> dict[str, Any]:
    """Verify an eddsa-jcs-2022 proof (vc-di-eddsa 3.3.2); return the proof, or raise ProofError.

    ``resolve`` turns the proof's ``verificationMethod`` into the public key.
    """
    proof = secured.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("proof: missing")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"proof: not a DataIntegrityProof with cryptosuite {CRYPTOSUITE}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proof.proofValue: must be base58btc multibase ('z' prefix)")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("proof.proofValue: not base58btc") from None
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        # 3.3.2 step 4: the document's contexts must start with the proof's, in order.
        mine, theirs = _contexts(config["@context"]), _contexts(unsecured.get("@context"))
        if theirs[: len(mine)] != mine:
            raise ProofError("proof.@context: the document's @context does not start with it")
        unsecured["@context"] = config["@context"]
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        raise ProofError("proof.verificationMethod: missing")
    key = resolve(method)
    try:
        key.verify(signature, _hash_data(unsecured, config))
    except InvalidSignature:
        raise ProofError("proof: the signature does not match the document") from None
    return proof
