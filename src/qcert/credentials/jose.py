"""The same credential as a vc+jwt (W3C VC-JOSE-COSE v1.0 3.1.1), for JOSE ecosystems.

The JWT claims set is the unsecured credential itself; the header names the
type (``vc+jwt``), content type (``vc``), algorithm (EdDSA) and signing key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .dataintegrity import ProofError

__all__ = ["from_vc_jwt", "to_vc_jwt"]


def to_vc_jwt(credential: Mapping[str, Any], key: Ed25519PrivateKey, kid: str) -> str:
    """A compact JWS of ``credential`` (any Data Integrity ``proof`` is left out)."""
    claims = {k: v for k, v in credential.items() if k != "proof"}
    headers = {"typ": "vc+jwt", "cty": "vc", "kid": kid}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)


def from_vc_jwt(token: str, resolve: Callable[[str], Ed25519PublicKey]) -> dict[str, Any]:
    """The credential of a vc+jwt whose signature checks with the key its ``kid`` names."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise ProofError("vc+jwt: not a compact JWS") from None
    if header.get("typ") != "vc+jwt" or header.get("alg") != "EdDSA" or not header.get("kid"):
        raise ProofError("vc+jwt: header must have typ vc+jwt, alg EdDSA and a kid")
    key = resolve(header["kid"])
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError:
        raise ProofError("vc+jwt: the signature does not match the credential") from None
    except jwt.InvalidTokenError as err:
        raise ProofError(f"vc+jwt: {err}") from None
    if not str(header["kid"]).startswith(str(claims.get("issuer", "")) + "#"):
        raise ProofError("vc+jwt: kid is not a key of the credential's issuer")
    return claims
