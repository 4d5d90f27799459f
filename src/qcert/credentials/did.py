"""did:web identifiers and DID documents of certification bodies (W3C DID v1.0, did:web).

A body's document lists every key it ever published, so credentials signed
before a rotation still verify; a revoked key carries its ``revoked`` time
(W3C Controlled Identifiers v1.0) and leaves ``assertionMethod``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["base_url", "did_document", "did_web"]

CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(host: str, body_id: str) -> str:
    """``did:web:<host>:bodies:<body>``; a port's colon is percent-encoded (did:web 3.2)."""
    return f"did:web:{quote(host, safe='.-')}:bodies:{quote(body_id, safe='.-_')}"


_LOOPBACK = re.compile(r"(127(\.\d{1,3}){3}|localhost|\[::1\])(:\d{1,5})?", re.I)


def base_url(host: str) -> str:
    """Where the installation at ``host`` is reached: ``https://host``, except plain
    ``http://host`` for a loopback address (127.0.0.0/8, ``localhost``, ``[::1]``, with any
    port), which only the machine itself can reach and where qcert serves without TLS (the
    demo, or ``qcert serve`` on its default interface). Status list addresses and QR codes use
    it, so a credential issued by a demo names an address that answers."""
    scheme = "http" if _LOOPBACK.fullmatch(host.strip()) else "https"
    return f"{scheme}://{host.strip()}"


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
