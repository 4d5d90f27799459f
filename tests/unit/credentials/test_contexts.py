"""Every JSON-LD context qcert names is bundled, pinned by SHA-256, and the only kind accepted."""

import ast
import hashlib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import qcert
from qcert.credentials import ProofError, multibase_public_key
from qcert.credentials import contexts as ctx
from qcert.credentials.certificate import (
    certificate_credential,
    sign_credential,
    verify_credential,
    verify_status,
)
from qcert.credentials.did import did_document, did_web
from qcert.credentials.statuslist import StatusList, entry, list_credential

DID = did_web("cert.example", "cb1")
LIST_URL = "https://cert.example/bodies/cb1/status/revocation/1"
CERT = {
    "number": "00126Q30001R0M",
    "scheme_id": "urn:qcert:scheme:iso9001:2015",
    "scope": "精密零件的生产 / production of precision parts",
    "sites": [{"site": "hq", "scope": "精密零件的生产"}],
    "issue_date": "2026-01-10",
    "original_issue_date": "2023-01-10",
    "expiry_date": "2029-01-09",
}
ORG = {"uscc": "91110108551385082Q", "name_zh": "示例精密制造有限公司", "name_en": "Example"}
SIGNED_AT = datetime(2026, 1, 10, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
UNKNOWN = "https://contexts.example/quality/v1"

# Digests the specifications themselves publish for their contexts.
PUBLISHED = {
    # VC Data Model 2.0, W3C Recommendation 15 May 2025, Appendix B.1 "Base Context".
    "https://www.w3.org/ns/credentials/v2": (
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    ),
    # VC Data Integrity 1.0, W3C Recommendation 15 May 2025, 2.4 "Contexts and Vocabularies".
    "https://w3id.org/security/multikey/v1": (
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597"
    ),
}

# Modules that can open a connection; none belongs in the credentials package.
NETWORK_MODULES = {"aiohttp", "http.client", "httpx", "requests", "socket", "urllib.request"}


def _bundled(name: str) -> bytes:
    return resources.files("qcert.credentials").joinpath("contexts", name).read_bytes()


def _key():
    key = Ed25519PrivateKey.generate()
    row = {"key_id": "k0", "public_key_multibase": multibase_public_key(key.public_key())}
    return key, did_document(DID, [row])


def _urls(document: dict) -> list[str]:
    found = list(ctx.remote_urls(document.get("@context")))
    if isinstance(document.get("proof"), dict):
        found += ctx.remote_urls(document["proof"].get("@context"))
    return found


@pytest.mark.parametrize("url", sorted(ctx.PINNED))
def test_each_bundled_file_hashes_to_its_pin(url):
    name, pin = ctx.PINNED[url]
    assert hashlib.sha256(_bundled(name)).hexdigest() == pin
    assert isinstance(ctx.document(url)["@context"], dict)


@pytest.mark.parametrize("url", sorted(PUBLISHED))
def test_the_pin_is_the_digest_the_specification_publishes(url):
    name, pin = ctx.PINNED[url]
    assert pin == PUBLISHED[url]
    assert hashlib.sha256(_bundled(name)).hexdigest() == PUBLISHED[url]


def test_every_pinned_file_is_listed_in_the_source_notes():
    notes = _bundled("SOURCE.md").decode()
    for url, (name, pin) in ctx.PINNED.items():
        assert url in notes and name in notes and pin in notes


def test_a_bundled_file_that_drifts_from_its_pin_is_refused(monkeypatch):
    url = "https://www.w3.org/ns/did/v1"
    name, pin = ctx.PINNED[url]
    monkeypatch.setitem(ctx.PINNED, url, (name, "0" * 64))
    with pytest.raises(ctx.ContextDigestMismatch) as err:
        ctx.document(url)
    assert (err.value.expected, err.value.calculated) == ("0" * 64, pin)
    with pytest.raises(ctx.ContextDigestMismatch):
        ctx.require_known([url])


def test_every_context_in_what_qcert_issues_is_pinned():
    key, document = _key()
    status = [entry(LIST_URL, "revocation", 7)]
    credential = sign_credential(
        certificate_credential(DID, CERT, ORG, "ISO 9001:2015", status),
        key,
        f"{DID}#k0",
        SIGNED_AT,
    )
    status_list = sign_credential(
        list_credential(LIST_URL, DID, "revocation", StatusList(), "2026-01-10T00:00:00Z"),
        key,
        f"{DID}#k0",
        SIGNED_AT,
    )
    for issued in (credential, status_list, document):
        urls = _urls(issued)
        assert urls, "every document qcert writes names its contexts"
        assert set(urls) <= set(ctx.PINNED)
    assert _urls(credential)[0] == "https://www.w3.org/ns/credentials/v2"


def test_a_credential_naming_an_unknown_remote_context_is_refused_by_name():
    key, document = _key()
    credential = certificate_credential(DID, CERT, ORG, "ISO 9001:2015")
    credential["@context"] = [*credential["@context"], UNKNOWN]
    signed = sign_credential(credential, key, f"{DID}#k0", SIGNED_AT)
    with pytest.raises(ProofError, match=f"@context: {UNKNOWN} is not one qcert bundles"):
        verify_credential(signed, document, NOW)


def test_a_status_list_naming_an_unknown_remote_context_is_refused_by_name():
    key, document = _key()
    credential = sign_credential(
        certificate_credential(DID, CERT, ORG, "S", [entry(LIST_URL, "revocation", 7)]),
        key,
        f"{DID}#k0",
        SIGNED_AT,
    )
    listed = list_credential(LIST_URL, DID, "revocation", StatusList(), "2026-01-10T00:00:00Z")
    listed["@context"] = [*listed["@context"], UNKNOWN]
    signed_list = sign_credential(listed, key, f"{DID}#k0", SIGNED_AT)
    with pytest.raises(ProofError, match=f"@context: {UNKNOWN} is not one qcert bundles"):
        verify_status(credential, [signed_list], document, NOW)


def test_inline_context_objects_are_accepted_and_other_shapes_are_not():
    inline = {"certificateNumber": "https://qcert.example/vocab#certificateNumber"}
    ctx.require_known(["https://www.w3.org/ns/credentials/v2", inline])
    ctx.require_known(inline)
    assert list(ctx.remote_urls(["https://www.w3.org/ns/credentials/v2", inline])) == [
        "https://www.w3.org/ns/credentials/v2"
    ]
    with pytest.raises(ProofError, match="@context: must be URLs or context objects"):
        ctx.require_known(["https://www.w3.org/ns/credentials/v2", 7])
    with pytest.raises(ProofError, match=f"{UNKNOWN} is not one qcert bundles"):
        ctx.require_known(UNKNOWN)


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_network(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in NETWORK_MODULES)


def test_the_credentials_package_imports_no_network_client():
    package = Path(qcert.__file__).parent / "credentials"
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(package.rglob("*.py"))
        for module in _imported_modules(path)
        if _is_network(module)
    }
    assert offenders == set()


def test_no_module_that_can_reach_the_network_deals_in_contexts():
    root = Path(qcert.__file__).parent
    markers = ["@context", "credentials.contexts", "from .contexts", *ctx.PINNED]
    offenders = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if any(_is_network(m) for m in _imported_modules(path))
        and any(marker in path.read_text(encoding="utf-8") for marker in markers)
    ]
    assert offenders == []
