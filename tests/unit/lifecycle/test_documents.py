"""The rules of a document record: hash, name, type, size, and each file once."""

from __future__ import annotations

import hashlib

import pytest

from qcert.lifecycle.documents import MAX_DOCUMENT_BYTES, check_document
from qcert.lifecycle.parties import Client
from qcert.schemes import RuleViolation

SHA = hashlib.sha256(b"x").hexdigest()
SITE = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}


def _client() -> Client:
    c = Client.register("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, [SITE])
    c.pending.clear()
    return c


def test_a_document_is_recorded_with_its_cleaned_name_and_purpose():
    c = _client()
    c.upload_document(SHA, " 质量手册.PDF ", "application/pdf", 1, " manual ", "client")
    [event] = c.pending
    assert event.name == "client.document-uploaded"
    assert (event.filename, event.purpose, event.size) == ("质量手册.PDF", "manual", 1)
    assert (SHA, None) in c.documents
    assert "certification_id" not in event.data()  # absent, so older uploads re-encode alike


def test_the_same_file_may_serve_two_certifications_once_each():
    c = _client()
    c.upload_document(SHA, "a.pdf", "application/pdf", 1, "p", "client", "cert-1")
    c.upload_document(SHA, "a.pdf", "application/pdf", 1, "p", "client", "cert-2")
    assert [e.data()["certification_id"] for e in c.pending] == ["cert-1", "cert-2"]
    with pytest.raises(RuleViolation, match="already among the documents"):
        c.upload_document(SHA, "b.pdf", "application/pdf", 1, "p", "client", "cert-2")


def test_the_same_file_is_taken_once():
    c = _client()
    c.upload_document(SHA, "a.pdf", "application/pdf", 1, "p", "client")
    with pytest.raises(RuleViolation, match="already among the documents"):
        c.upload_document(SHA, "b.pdf", "application/pdf", 1, "p", "client")


@pytest.mark.parametrize(
    ("sha256", "filename", "media_type", "size", "field"),
    [
        (SHA.upper(), "a.pdf", "application/pdf", 1, "sha256"),
        (SHA[:63], "a.pdf", "application/pdf", 1, "sha256"),
        (SHA, "a.html", "text/html", 1, "media_type"),
        (SHA, "a.pdf", "application/pdf", 0, "size"),
        (SHA, "a.pdf", "application/pdf", MAX_DOCUMENT_BYTES + 1, "size"),
        (SHA, "", "application/pdf", 1, "filename"),
        (SHA, "x" * 197 + ".pdf", "application/pdf", 1, "filename"),
        (SHA, "../a.pdf", "application/pdf", 1, "filename"),
        (SHA, "dir\\a.pdf", "application/pdf", 1, "filename"),
        (SHA, "a\x00.pdf", "application/pdf", 1, "filename"),
        (SHA, "a.pdf.html", "application/pdf", 1, "filename"),
        (SHA, "photo.png", "image/jpeg", 1, "filename"),
    ],
)
def test_a_record_breaking_a_rule_is_refused_naming_the_field(
    sha256, filename, media_type, size, field
):
    with pytest.raises(RuleViolation) as refused:
        check_document(sha256, filename, media_type, size, "purpose")
    assert refused.value.rule == "input.invalid" and refused.value.en.startswith(f"{field}:")


def test_the_limits_themselves_are_allowed():
    name = "x" * 196 + ".pdf"
    assert check_document(SHA, name, "application/pdf", MAX_DOCUMENT_BYTES, "p")[0] == name
    assert check_document(SHA, "photo.JPEG", "image/jpeg", 1, "p") == ("photo.JPEG", "p")
