"""Stored files on disk and in an S3-compatible object store behave alike: named by SHA-256,
recorded with SM3 too, and refused when what is stored no longer matches either digest."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from qcert.store.documents import DocumentMissing, DocumentStore, digests
from tests.conftest import _need_service

PDF = b"%PDF-1.4\n%%EOF\n"
# GB/T 32905-2016 Appendix A.1: SM3("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_both_digests_are_the_standards():
    found = digests(b"abc")
    assert found.sm3 == SM3_ABC
    assert found.sha256 == hashlib.sha256(b"abc").hexdigest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto's, a separate process) on a free local port."""
    pytest.importorskip("boto3")
    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        _need_service(f"moto_server is not installed next to {sys.executable} (the test extra)")
    port = _free_port()
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    _need_service(f"moto_server did not start on port {port}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_store(s3_endpoint, monkeypatch) -> DocumentStore:
    import boto3

    from qcert.store.objects import S3Blobs

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"qcert-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return DocumentStore(S3Blobs(bucket, s3_endpoint, "us-east-1"))


@pytest.fixture(params=["disk", "s3"])
def store(request, tmp_path) -> DocumentStore:
    if request.param == "disk":
        return DocumentStore(tmp_path / "docs")
    return request.getfixturevalue("s3_store")


def _replace(store: DocumentStore, sha256: str, data: bytes) -> None:
    """Change the stored bytes behind the store's back (a disk edit, an object overwritten)."""
    name = store.name(sha256)
    if hasattr(store.blobs, "root"):
        (store.blobs.root / name).write_bytes(data)
        return
    blobs = store.blobs
    blobs.client.put_object(Bucket=blobs.bucket, Key=blobs.prefix + name, Body=data)


def test_put_gives_both_digests_and_get_gives_the_bytes_back(store):
    stored = store.store(PDF)
    assert stored == digests(PDF)
    assert store.exists(stored.sha256) and not store.exists("0" * 64)
    assert not store.exists("../../etc/passwd")
    assert store.read(stored.sha256) == PDF
    assert store.read(stored.sha256, stored.sm3) == PDF
    assert store.open(stored.sha256).read() == PDF
    assert store.put(PDF) == stored.sha256  # the same bytes again: the same name


def test_changed_bytes_are_refused_by_either_digest(store):
    stored = store.store(PDF)
    with pytest.raises(DocumentMissing, match="sm3: the stored file"):
        store.read(stored.sha256, "0" * 64)  # a recorded SM3 the bytes do not have
    _replace(store, stored.sha256, PDF + b"changed")
    with pytest.raises(DocumentMissing, match="no longer matches"):
        store.read(stored.sha256)
    with pytest.raises(DocumentMissing, match="no stored document"):
        store.read(hashlib.sha256(b"never stored").hexdigest())
    with pytest.raises(DocumentMissing, match="64 lowercase"):
        store.read("../" + "a" * 61)


def test_an_object_over_the_limit_is_refused_unread(store, monkeypatch):
    from qcert.store import documents

    stored = store.store(PDF)
    monkeypatch.setattr(documents, "MAX_STORED_BYTES", len(PDF) - 1)
    with pytest.raises(DocumentMissing, match="over"):
        store.read(stored.sha256)


def test_bootstrap_wires_the_bucket_the_settings_name(s3_endpoint, tmp_path, monkeypatch):
    from qcert.bootstrap import _documents
    from qcert.config import Settings
    from qcert.store.objects import S3Blobs

    monkeypatch.setenv("QCERT_S3_BUCKET", "qcert-evidence")
    monkeypatch.setenv("QCERT_S3_ENDPOINT_URL", s3_endpoint)
    settings = Settings.from_env(tmp_path, "sqlite://")
    assert (settings.s3_bucket, settings.s3_endpoint_url) == ("qcert-evidence", s3_endpoint)
    assert isinstance(_documents(settings).blobs, S3Blobs)
    assert _documents(Settings(tmp_path, "sqlite://")).root == tmp_path / "documents"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QCERT_S3_BUCKET": "Bad_Bucket"}, "is not a bucket name"),
        ({"QCERT_S3_BUCKET": "ok-bucket", "QCERT_S3_ENDPOINT_URL": "ftp://x"}, "http(s)"),
        ({"QCERT_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "without QCERT_S3_BUCKET"),
    ],
)
def test_s3_settings_that_cannot_work_are_refused(env, message, tmp_path, monkeypatch):
    from qcert.config import SettingInvalid, Settings

    for name in ("QCERT_S3_BUCKET", "QCERT_S3_ENDPOINT_URL", "QCERT_S3_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingInvalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(tmp_path, "sqlite://")
