"""A certificate as a W3C Verifiable Credential (VC Data Model 2.0), and its offline check.

The credential's subject carries what ISO/IEC 17021-1 8.2.2 asks a certificate
to state: the organisation, the scope (per site), the standard, and the dates.
Verification needs only the credential and the issuer's DID document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .contexts import require_known
from .dataintegrity import ProofError, add_proof, public_key_from_multibase, verify_proof
from .statuslist import StatusList, StatusListError

__all__ = [
    "CredentialCheck",
    "certificate_credential",
    "sign_credential",
    "verify_credential",
    "verify_status",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def certificate_credential(
    issuer: str,
    certificate: Mapping[str, Any],
    organisation: Mapping[str, str],
    standard: str,
    status: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An unsigned credential for a certificate row (number, scope, sites, dates, scheme), with
    its ``credentialStatus`` entries when given (W3C Bitstring Status List v1.0 2.1)."""
    sites = certificate["sites"]
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": f"urn:qcert:certificate:{certificate['number']}",
        "type": ["VerifiableCredential", "QualityCertificationCredential"],
        "issuer": issuer,
        "validFrom": f"{certificate['issue_date']}T00:00:00Z",
        "validUntil": f"{certificate['expiry_date']}T23:59:59Z",
        "credentialSubject": {
            "id": f"urn:uscc:{organisation['uscc']}",
            "name": {"zh-CN": organisation["name_zh"], "en": organisation.get("name_en", "")},
            "certificateNumber": certificate["number"],
            "scheme": certificate["scheme_id"],
            "standard": standard,
            "scope": certificate["scope"],
            "sites": list(sites),
            "originalIssueDate": certificate["original_issue_date"],
            "issueDate": certificate["issue_date"],
            "expiryDate": certificate["expiry_date"],
        },
    }
    if status:
        credential["credentialStatus"] = status
    return credential


def sign_credential(
    credential: Mapping[str, Any], key: Ed25519PrivateKey, method: str, at: datetime | None = None
) -> dict[str, Any]:
    """The credential with an eddsa-jcs-2022 proof by ``method`` (a key in the issuer's DID)."""
    if not method.startswith(str(credential["issuer"]) + "#"):
        raise ProofError("verificationMethod must be a key of the credential's issuer")
    return add_proof(credential, key, method, at)


@dataclass(frozen=True)
class CredentialCheck:
    """What an offline check established."""

    issuer: str
    method: str
    number: str
    within_validity: bool


def _key_in(document: Mapping[str, Any], method: str, now: datetime) -> Ed25519PublicKey:
    for vm in document.get("verificationMethod", []):
        if vm.get("id") != method:
            continue
        revoked = vm.get("revoked")
        if revoked and now >= datetime.fromisoformat(revoked.replace("Z", "+00:00")):
            raise ProofError(f"key {method} was revoked on {revoked}")
        return public_key_from_multibase(vm["publicKeyMultibase"])
    raise ProofError(f"key {method} is not in the issuer's DID document")


def verify_credential(
    credential: Mapping[str, Any], did_document: Mapping[str, Any], now: datetime | None = None
) -> CredentialCheck:
    """Check a certificate credential against its issuer's DID document; raise ProofError saying
    which check failed (context, issuer, key, revocation, signature)."""
    # Only bundled, pinned contexts are understood (VC Data Model 2.0 B.1).
    require_known(credential.get("@context"))
    now = now or datetime.now(UTC)
    issuer = credential.get("issuer")
    if issuer != did_document.get("id"):
        raise ProofError(f"issuer {issuer!r} is not the DID document's {did_document.get('id')!r}")
    proof = credential.get("proof")
    method = proof.get("verificationMethod", "") if isinstance(proof, dict) else ""
    if not method.startswith(f"{issuer}#"):
        raise ProofError("proof: not signed by a key of the issuer")
    if method not in did_document.get("assertionMethod", []) and not any(
        vm.get("id") == method and vm.get("revoked")
        for vm in did_document.get("verificationMethod", [])
    ):
        raise ProofError(f"key {method} is not an assertion method of the issuer")
    verify_proof(credential, lambda m: _key_in(did_document, m, now))
    start = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(credential["validUntil"].replace("Z", "+00:00"))
    number = credential["credentialSubject"]["certificateNumber"]
    return CredentialCheck(str(issuer), method, number, start <= now <= end)


def verify_status(
    credential: Mapping[str, Any],
    lists: list[Mapping[str, Any]],
    did_document: Mapping[str, Any],
    now: datetime | None = None,
) -> dict[str, bool]:
    """Each ``credentialStatus`` purpose of ``credential`` and whether its bit is set, read from
    the given status list credentials, each checked as signed by the same issuer (W3C
    Bitstring Status List v1.0 3.2). Raise ProofError naming what does not check out."""
    require_known(credential.get("@context"))
    for lst in lists:
        require_known(lst.get("@context"))
    now = now or datetime.now(UTC)
    by_url = {str(lst.get("id")): lst for lst in lists}
    entries = credential.get("credentialStatus") or []
    if isinstance(entries, Mapping):
        entries = [entries]
    if not entries:
        raise ProofError("status: the credential names no status list")
    answer: dict[str, bool] = {}
    for e in entries:
        url, purpose = e.get("statusListCredential"), e.get("statusPurpose")
        listed = by_url.get(str(url))
        if listed is None:
            raise ProofError(f"status: no {purpose} list {url} was given")
        if listed.get("issuer") != credential.get("issuer"):
            raise ProofError(f"status: list {url} is not by the credential's issuer")
        verify_proof(listed, lambda m: _key_in(did_document, m, now))
        subject = listed.get("credentialSubject", {})
        if subject.get("statusPurpose") != purpose:
            raise ProofError(f"status: list {url} is for {subject.get('statusPurpose')}")
        try:
            bits = StatusList.decode(subject["encodedList"])
            answer[str(purpose)] = bits[int(e["statusListIndex"])]
        except (KeyError, ValueError, StatusListError) as err:
            raise ProofError(f"status: list {url}: {err}") from None
    return answer
