"""did:web identifiers and DID documents of certification bodies (W3C DID v1.0, did:web).

A body's document lists every key it ever published, so credentials signed
before a rotation still verify; a revoked key carries its ``revoked`` time
(W3C Controlled Identifiers v1.0) and leaves ``assertionMethod``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["did_document", "did_web"]

CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(host: str, body_id: str) -> str:
    """``did:web:<host>:bodies:<body>``; a port's colon is percent-encoded (did:web 3.2)."""
    return f"did:web:{quote(host, safe='.-')}:bodies:{quote(body_id, safe='.-_')}"


def did_document(did: str, keys: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The DID document of ``did`` with its keys (``key_id``, ``public_key_multibase``,
    ``valid_from``, ``revoked``)."""
    methods, live = [], []
    for key in keys:
        method = {
            "id": f"{did}#{key['key_id']}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key["public_key_multibase"],
        }
        if key.get("revoked"):
            method["revoked"] = key["revoked"]
        else:
            live.append(method["id"])
        methods.append(method)
    return {"@context": CONTEXTS, "id": did, "verificationMethod": methods, "assertionMethod": live}
