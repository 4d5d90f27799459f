"""Documents: stored by their hash, one event per upload, and the audit that finds a lost file."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from qcert.access import Forbidden, Principal
from qcert.access import authorize as decide
from qcert.lifecycle import ApplyForCertification, GiveConsent, UploadDocument
from qcert.store import tables as t
from qcert.store.documents import DocumentMissing, DocumentStore, media_type_of
from qcert.store.replay import check_projections
from qcert.store.resources import resource_of
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401

PDF = b"%PDF-1.4\n%%EOF\n"


def test_files_are_named_by_their_hash_and_written_whole(tmp_path):
    store = DocumentStore(tmp_path / "docs")
    sha = store.put(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest()
    path = tmp_path / "docs" / sha[:2] / sha[2:]
    assert path.read_bytes() == PDF and path.stat().st_mode & 0o777 == 0o600
    assert store.put(PDF) == sha  # the same bytes again: the same file
    assert [p.name for p in (tmp_path / "docs").rglob("*") if p.is_file()] == [sha[2:]]
    assert store.exists(sha) and store.read(sha) == PDF
    assert not store.exists("0" * 64) and not store.exists("../../etc/passwd")


def test_a_file_changed_on_disk_or_gone_is_refused(tmp_path):
    store = DocumentStore(tmp_path)
    sha = store.put(PDF)
    store.path(sha).write_bytes(PDF + b"changed")
    with pytest.raises(DocumentMissing, match="no longer matches"):
        store.read(sha)
    store.path(sha).unlink()
    with pytest.raises(DocumentMissing, match="no stored document"):
        store.read(sha)
    with pytest.raises(DocumentMissing, match="64 lowercase"):
        store.path("../" + "a" * 61)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("批次,数量\n42,100\n".encode(), "text/plain"),
        (b"\xef\xbb\xbfwith a byte order mark\r\n", "text/plain"),
        (b"<!DOCTYPE html><script>alert(1)</script>", None),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"MZ\x90\x00\x03\x00", None),
        (b"text with a \x00 byte", None),
        ("GBK 编码".encode("gbk"), None),
        (b"", None),
        (b"   \n", None),
    ],
)
def test_the_media_type_comes_from_the_content(data, media_type):
    assert media_type_of(data) == media_type


def _upload(who: str = "client1", given_for: str | None = None) -> UploadDocument:
    sha = hashlib.sha256(PDF).hexdigest()
    return UploadDocument(
        "c1", sha, "手册.pdf", "application/pdf", len(PDF), "manual", who, given_for, content=PDF
    )


def test_an_upload_is_an_event_a_row_and_a_file_the_audit_checks(world, engine, tmp_path):  # noqa: F811
    store = DocumentStore(tmp_path / "docs")  # where the world's units of work keep documents
    sha = hashlib.sha256(PDF).hexdigest()
    [index] = world(_upload())
    assert store.read(sha) == PDF
    with engine.connect() as conn:
        [row] = conn.execute(sa.select(t.documents)).mappings().all()
        kind = conn.execute(
            sa.select(t.events.c.type).where(t.events.c.ledger_index == index)
        ).scalar()
    assert kind == "client.document-uploaded"
    assert (row["ledger_index"], row["client_id"], row["sha256"], row["size"]) == (
        index,
        "c1",
        sha,
        len(PDF),
    )
    assert (row["filename"], row["media_type"], row["uploaded_by"]) == (
        "手册.pdf",
        "application/pdf",
        "client1",
    )
    assert check_projections(engine, store) == []
    store.path(sha).unlink()
    [problem] = check_projections(engine, store)
    assert problem.startswith(f"documents: entry {index} (client:c1)") and sha in problem
    assert check_projections(engine) == []  # without the store: the tables alone


def test_a_document_row_not_explained_by_the_ledger_is_found(world, engine):  # noqa: F811
    world(_upload())
    with engine.begin() as conn:
        conn.execute(sa.update(t.documents).values(filename="other.pdf"))
    problems = check_projections(engine)
    assert any(p.startswith("lc_documents: row not explained") for p in problems)


def _principal(account: str, *roles: str) -> Principal:
    return Principal(account, frozenset(tuple(r.split("@")) for r in roles))


def authorize(conn, principal, command):
    decide(principal, command, resource_of(conn, command))


def test_a_hash_without_its_bytes_records_nothing(world, engine, tmp_path):  # noqa: F811
    from qcert.schemes import RuleViolation

    bare = UploadDocument(
        "c1", hashlib.sha256(PDF).hexdigest(), "a.pdf", "application/pdf", len(PDF), "m", "c"
    )
    with pytest.raises(RuleViolation, match="bytes must come with the upload"):
        world(bare)
    other = UploadDocument(
        "c1", bare.sha256, "a.pdf", "application/pdf", len(PDF), "m", "c", content=PDF + b" "
    )
    with pytest.raises(RuleViolation, match="hash to sha256"):
        world(other)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.documents)).scalar() == 0


def test_who_may_upload_for_an_organisation(world, engine):  # noqa: F811
    client = _principal("client1", "client-user@client:c1")
    planner = _principal("plan1", "planner@body:cb1")
    with engine.connect() as conn:
        authorize(conn, client, _upload("client1"))
        with pytest.raises(Forbidden, match="yourself"):
            authorize(conn, client, _upload("someone-else"))
        with pytest.raises(Forbidden):  # c1 has not applied to cb1 yet
            authorize(conn, planner, _upload("plan1"))
    world(GiveConsent("c1", "cb1"))
    world(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    with engine.connect() as conn:
        authorize(conn, planner, _upload("plan1", "a1"))
        with pytest.raises(Forbidden):  # not a certification of c1 that cb1 holds
            authorize(conn, planner, _upload("plan1", "nope"))
        with pytest.raises(Forbidden):  # a body's staff give documents to a certification
            authorize(conn, planner, _upload("plan1"))
        for other in (
            _principal("dec2", "decision-maker@body:cb2"),
            _principal("client2", "client-user@client:c2"),
        ):
            with pytest.raises(Forbidden):
                authorize(conn, other, _upload(other.account_id))
