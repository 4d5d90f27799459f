"""Certificate credentials: W3C Verifiable Credentials with Data Integrity proofs.

So far the eddsa-jcs-2022 cryptosuite (W3C vc-di-eddsa v1.0), Multikey,
did:key and Bitstring Status List v1.0 lists. Issuing certificates as
credentials and public verification build on them.
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
from .statuslist import StatusList, StatusListError, entry, list_credential

__all__ = [
    "CRYPTOSUITE",
    "ProofError",
    "StatusList",
    "StatusListError",
    "add_proof",
    "did_key",
    "entry",
    "list_credential",
    "multibase_public_key",
    "public_key_from_multibase",
    "resolve_did_key",
    "verify_proof",
]
