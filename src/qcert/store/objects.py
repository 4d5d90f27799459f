"""Stored documents in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, OSS, COS, ...).

The names are those of the disk store (``ab/cdef…``, the SHA-256 of the bytes) under a prefix
in one bucket; each upload sends its SHA-256 for the server to check (S3 ``x-amz-checksum-
sha256``), and each read is checked again by ``DocumentStore`` against the ledger's digests.
Needs boto3 (``pip install 'qcert[s3]'``); credentials come from boto3's own environment
variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``) or its configuration files,
never from qcert's settings.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..errors import QcertError
from .documents import DocumentMissing

__all__ = ["S3Blobs"]


class S3Blobs:
    """Objects ``prefix + name`` in ``bucket`` at ``endpoint_url`` (None: AWS's own)."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        prefix: str = "documents/",
        client: Any = None,
    ) -> None:
        self.bucket, self.prefix = bucket, prefix
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:  # pragma: no cover - depends on the installation
                raise QcertError(
                    "QCERT_S3_BUCKET: the S3 document store needs boto3 (pip install 'qcert[s3]')"
                ) from None
            # Bounded waits: a store that does not answer fails the request, it does not hang.
            config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})
            client = boto3.client(
                "s3", endpoint_url=endpoint_url, region_name=region, config=config
            )
        self.client = client

    def _missing(self, err: Exception) -> bool:
        code = str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def write(self, name: str, data: bytes) -> None:
        """Put the object (a PUT is atomic in S3: readers see all of it or none)."""
        if self.has(name):
            return  # the same bytes are already there, under the same name
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + name,
            Body=data,
            ChecksumSHA256=checksum,
            ContentType="application/octet-stream",
        )

    def fetch(self, name: str, limit: int) -> bytes | None:
        """The object's bytes, or None; an object over ``limit`` bytes is refused unread."""
        from botocore.exceptions import ClientError

        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as err:
            if self._missing(err):
                return None
            raise
        body = got["Body"]
        try:
            if int(got.get("ContentLength") or 0) > limit:
                raise DocumentMissing(f"sha256: the stored object {name} is over {limit} bytes")
            data = body.read(limit + 1)
        finally:
            body.close()
        if len(data) > limit:
            raise DocumentMissing(f"sha256: the stored object {name} is over {limit} bytes")
        return data

    def has(self, name: str) -> bool:
        """Whether the object exists (a HEAD request)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as err:
            if self._missing(err):
                return False
            raise
        return True
