"""The JSON-LD contexts qcert's credentials and DID documents name: bundled, pinned, checked.

eddsa-jcs-2022 signs the JSON itself (RFC 8785), so no context is loaded to issue or verify.
A verifier still has to know what every context URL means: VC Data Model 2.0 B.1 has
implementations treat the base context "as already retrieved" with a published SHA-256 digest,
and VC Data Integrity 1.0 2.4.1 has applications check contexts against known good values.
So every context URL qcert writes is bundled here byte for byte and pinned by SHA-256
(where each file comes from: ``contexts/SOURCE.md``), and a document naming any other remote
context is refused. Nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from .dataintegrity import ProofError

__all__ = [
    "CREDENTIALS_V2",
    "DID_V1",
    "MULTIKEY_V1",
    "PINNED",
    "ContextDigestMismatch",
    "document",
    "remote_urls",
    "require_known",
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# url -> (bundled file name, SHA-256 of its bytes, lowercase hex).
PINNED: dict[str, tuple[str, str]] = {
    # VC Data Model 2.0 (W3C Recommendation, 15 May 2025) B.1 publishes this digest.
    CREDENTIALS_V2: (
        "credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    # DID v1.0 publishes no digest for its context; this pins the bundled bytes.
    DID_V1: (
        "did-v1.jsonld",
        "4f3eae5568c9c5f036a082088f9e192019ee06faa78973c87ff91d5421b88dad",
    ),
    # VC Data Integrity 1.0 (W3C Recommendation, 15 May 2025) 2.4 publishes this digest.
    MULTIKEY_V1: (
        "multikey-v1.jsonld",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    ),
}


class ContextDigestMismatch(ProofError):
    """A bundled context file whose bytes no longer hash to its pin; carries both digests."""

    def __init__(self, url: str, expected: str, calculated: str) -> None:
        super().__init__(f"@context: bundled {url} has SHA-256 {calculated}, pinned {expected}")
        self.url, self.expected, self.calculated = url, expected, calculated


def _unknown(url: str) -> ProofError:
    return ProofError(f"@context: {url} is not one qcert bundles")


def document(url: str) -> dict[str, Any]:
    """The bundled JSON-LD document for a pinned context ``url``, read from the package after
    its SHA-256 is checked against the pin. Raise ProofError for a URL qcert does not bundle
    and ContextDigestMismatch when the bundled bytes differ from the pin."""
    loaded: dict[str, Any] = json.loads(_checked_bytes(url))
    return loaded


def _checked_bytes(url: str) -> bytes:
    if url not in PINNED:
        raise _unknown(url)
    name, expected = PINNED[url]
    data = resources.files(__package__).joinpath("contexts", name).read_bytes()
    calculated = hashlib.sha256(data).hexdigest()
    if calculated != expected:
        raise ContextDigestMismatch(url, expected, calculated)
    return data


def remote_urls(context_value: Any) -> Iterator[str]:
    """The remote context URLs in an ``@context`` value (a string, an object, or a list of
    them; JSON-LD 1.1 3.1), in order. Inline objects name no remote context and are skipped;
    a value of any other shape raises ProofError."""
    items = context_value if isinstance(context_value, list) else [context_value]
    for item in items:
        if isinstance(item, str):
            yield item
        elif not isinstance(item, dict) and item is not None:
            raise ProofError("@context: must be URLs or context objects")


def require_known(context_value: Any) -> None:
    """Raise ProofError naming the first remote context in ``context_value`` that qcert does
    not bundle (or whose bundled copy no longer matches its pin); inline context objects are
    allowed."""
    for url in remote_urls(context_value):
        _checked_bytes(url)
