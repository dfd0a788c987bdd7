"""The media store in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph, a provider's
object storage), so every worker, on any machine, reads and writes the same objects.

boto3 is blocking and its clients are thread-safe: the store's methods run in
`asyncio.to_thread`, like the local directory's. Large files (report workbooks, backups) go up
and down in parts (`upload_file` / `download_file`).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from storage.media_objects import MediaMissing, ObjectInfo, check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix/"); the prefix may be empty."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("must be s3://bucket or s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


class S3Objects:
    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        """`client`: boto3's S3 client (boto3 has no type hints)."""
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.location = f"s3://{bucket}/{prefix}"

    @classmethod
    def connect(cls, url: str, *, endpoint_url: str | None = None, region: str | None = None,
                access_key_id: str | None = None,
                secret_access_key: str | None = None) -> S3Objects:
        """A store for `url`; keys left out come from boto3's usual places (AWS_* variables,
        ~/.aws, an instance role)."""
        import boto3
        from botocore.config import Config

        bucket, prefix = parse_s3_url(url)
        config = Config(
            # Path-style addressing works with every S3-compatible server behind one address.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 4, "mode": "standard"},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the
            # CRC headers newer boto3 sends by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=5, read_timeout=30, max_pool_connections=32)
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
            config=config)
        return cls(bucket, prefix, client)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        with _refusal_as_oserror("write", key):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def put_file(self, key: str, source: Path) -> None:
        with _refusal_as_oserror("write", key):
            self.client.upload_file(str(source), self.bucket, self._key(key))

    def get(self, key: str) -> bytes:
        with _refusal_as_oserror("read", key):
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            with response["Body"] as body:
                data: bytes = body.read()
                return data

    def get_file(self, key: str, target: Path) -> None:
        with _refusal_as_oserror("read", key):
            self.client.download_file(self.bucket, self._key(key), str(target))

    def exists(self, key: str) -> bool:
        try:
            with _refusal_as_oserror("read", key):
                self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except MediaMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", ()):
                yield ObjectInfo(item["Key"][len(self.prefix):], item["Size"],
                                 item["LastModified"].astimezone(UTC))

    def local_path(self, key: str) -> Path | None:
        return None


@contextmanager
def _refusal_as_oserror(what: str, key: str) -> Iterator[None]:
    """A bucket that refuses (unreachable, denied, throttled, an object archived out of reach)
    fails like a disk that does: with an OSError, which the media store answers as "busy, try
    again"; an object that is not there is `MediaMissing`, as in a local folder."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        code = _error_code(error)
        if code in _MISSING:
            raise MediaMissing(key) from None
        raise OSError(errno.EIO, f"bucket refused the {what}: {code or type(error).__name__}"
                      ) from error


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
