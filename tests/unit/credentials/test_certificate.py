"""Certificate credentials: signed by a body's key, checked offline against its DID document."""

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.credentials import ProofError, multibase_public_key
from qcert.credentials.certificate import (
    certificate_credential,
    sign_credential,
    verify_credential,
)
from qcert.credentials.did import did_document, did_web

DID = did_web("cert.example", "cb1")
CERT = {
    "number": "00126Q30001R0M",
    "scheme_id": "urn:qcert:scheme:iso9001:2015",
    "scope": "精密零件的生产 / production of precision parts",
    "sites": [{"site": "hq", "scope": "精密零件的生产"}],
    "issue_date": "2026-01-10",
    "original_issue_date": "2023-01-10",
    "expiry_date": "2029-01-09",
}
ORG = {
    "uscc": "91110108551385082Q",
    "name_zh": "示例精密制造有限公司",
    "name_en": "Example Precision",
}
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _keys(*revoked):
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    rows = [
        {
            "key_id": f"k{i}",
            "public_key_multibase": multibase_public_key(k.public_key()),
            "revoked": revoked[i] if i < len(revoked) else None,
        }
        for i, k in enumerate(keys)
    ]
    return keys, rows


def _issue(key, key_id="k0"):
    vc = certificate_credential(DID, CERT, ORG, "ISO 9001:2015")
    return sign_credential(vc, key, f"{DID}#{key_id}", datetime(2026, 1, 10, tzinfo=UTC))


def test_a_certificate_credential_verifies_offline_with_the_did_document():
    keys, rows = _keys()
    signed = _issue(keys[0])
    check = verify_credential(signed, did_document(DID, rows), NOW)
    assert (check.number, check.within_validity) == ("00126Q30001R0M", True)
    assert signed["credentialSubject"]["id"] == "urn:uscc:91110108551385082Q"


def test_credentials_signed_before_a_rotation_still_verify():
    keys, rows = _keys()
    old = _issue(keys[0], "k0")
    new = _issue(keys[1], "k1")
    document = did_document(DID, rows)  # both keys published; k1 now signs
    assert verify_credential(old, document, NOW).method.endswith("#k0")
    assert verify_credential(new, document, NOW).method.endswith("#k1")


def test_a_revoked_key_fails_after_its_revocation_date():
    keys, rows = _keys("2026-03-01T00:00:00Z")
    signed = _issue(keys[0])
    document = did_document(DID, rows)
    verify_credential(signed, document, datetime(2026, 2, 1, tzinfo=UTC))
    with pytest.raises(ProofError, match="revoked on 2026-03-01"):
        verify_credential(signed, document, NOW)


def test_tampering_a_wrong_issuer_and_a_foreign_key_are_each_named():
    keys, rows = _keys()
    signed = _issue(keys[0])
    document = did_document(DID, rows)
    forged = {
        **signed,
        "credentialSubject": {**signed["credentialSubject"], "expiryDate": "2099-01-01"},
    }
    with pytest.raises(ProofError, match="signature does not match"):
        verify_credential(forged, document, NOW)
    other = did_document(did_web("other.example", "cb9"), rows)
    with pytest.raises(ProofError, match="is not the DID document's"):
        verify_credential(signed, other, NOW)
    with pytest.raises(ProofError, match="not an assertion method of the issuer"):
        verify_credential(_issue(keys[0], "k7"), document, NOW)
    with pytest.raises(ProofError, match="key of the credential's issuer"):
        sign_credential(certificate_credential(DID, CERT, ORG, "x"), keys[0], "did:web:evil#k0")


def test_validity_window_is_reported():
    keys, rows = _keys()
    check = verify_credential(
        _issue(keys[0]), did_document(DID, rows), datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert check.within_validity is False
