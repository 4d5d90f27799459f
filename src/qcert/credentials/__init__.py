"""Certificate credentials: W3C Verifiable Credentials with Data Integrity proofs.

So far the eddsa-jcs-2022 cryptosuite (W3C vc-di-eddsa v1.0), Multikey and
did:key. Issuing certificates as credentials, status lists and public
verification build on it.
"""

from .dataintegrity import (
    CRYPTOSUITE,
    ProofError,
    add_proof,
    did_key,
    multibase_public_key,
    public_key_from_multibase,
    resolve_did_key,
    verify_proof,
)

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
