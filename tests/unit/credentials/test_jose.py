"""vc+jwt: the same credential for JOSE ecosystems."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.credentials import ProofError
from qcert.credentials.jose import from_vc_jwt, to_vc_jwt

ISSUER = "did:web:cert.example:bodies:cb1"
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": ISSUER,
    "credentialSubject": {"certificateNumber": "N-1", "name": "示例"},
}


def _part(token, i):
    piece = token.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)))


def test_round_trip_and_header():
    key = Ed25519PrivateKey.generate()
    token = to_vc_jwt(CREDENTIAL | {"proof": {"type": "DataIntegrityProof"}}, key, f"{ISSUER}#k1")
    assert _part(token, 0) == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": f"{ISSUER}#k1"}
    assert _part(token, 1) == CREDENTIAL  # the claims set is the credential, without its proof
    assert from_vc_jwt(token, lambda kid: key.public_key()) == CREDENTIAL


def test_tampered_foreign_and_malformed_tokens_are_refused():
    key = Ed25519PrivateKey.generate()
    token = to_vc_jwt(CREDENTIAL, key, f"{ISSUER}#k1")
    head, _, sig = token.split(".")
    changed = CREDENTIAL | {"credentialSubject": {"certificateNumber": "N-2", "name": "示例"}}
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).decode().rstrip("=")
    with pytest.raises(ProofError, match="signature does not match"):
        from_vc_jwt(f"{head}.{forged}.{sig}", lambda kid: key.public_key())
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(ProofError, match="signature does not match"):
        from_vc_jwt(token, lambda kid: other)
    with pytest.raises(ProofError, match="not a key of the credential's issuer"):
        from_vc_jwt(to_vc_jwt(CREDENTIAL, key, "did:web:evil#k1"), lambda kid: key.public_key())
    with pytest.raises(ProofError, match="not a compact JWS"):
        from_vc_jwt("nonsense", lambda kid: key.public_key())
