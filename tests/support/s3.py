"""A local S3-compatible server for the media store's tests: moto's server mode on 127.0.0.1,
spoken to over HTTP by the real boto3 client, one bucket per test."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.media import COPIES_DIR, MediaStore
from storage.media_objects import LocalObjects, ObjectStore
from storage.media_s3 import S3Objects

REGION = "us-east-1"
KEY_ID = "test-key-id"
SECRET = "test-secret-key"  # moto accepts any pair


@dataclass(frozen=True)
class Bucket:
    endpoint_url: str
    name: str

    @property
    def settings(self) -> dict[str, str]:
        """The settings that put the media store in this bucket."""
        return {"media_store": f"s3://{self.name}/media", "media_s3_endpoint_url":
                self.endpoint_url, "media_s3_region": REGION,
                "media_s3_access_key_id": KEY_ID, "media_s3_secret_access_key": SECRET}

    @property
    def env(self) -> dict[str, str]:
        return {key.upper(): value for key, value in self.settings.items()}

    def client(self):  # noqa: ANN201
        """A client of our own, to look into the bucket from outside the product."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)

    def keys(self) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

both_media_stores = pytest.mark.parametrize("media_settings", ["local", "s3"], indirect=True)
"""Run a test with the media in MEDIA_DIR and again in an S3 bucket (tests/conftest.py)."""


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server in a process of its own on a free port of 127.0.0.1 (in the tests'
    process it would add some 60 MB to what the memory tests measure)."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    try:
        for line in server.stderr:  # werkzeug says where it listens once it does
            found = re.search(r"Running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                break
        else:
            raise RuntimeError("moto's S3 server did not start")
        # Its request log goes on; keep reading it so a full pipe never stops the server.
        threading.Thread(target=server.stderr.read, daemon=True).start()
        yield found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Bucket:
    bucket = Bucket(s3_endpoint, f"dvk-test-{uuid.uuid4().hex[:12]}")
    bucket.client().create_bucket(Bucket=bucket.name)
    return bucket


def bucket_objects(bucket: Bucket) -> S3Objects:
    """The product's S3 store on `bucket`, under the prefix the settings above use."""
    return S3Objects.connect(f"s3://{bucket.name}/media", endpoint_url=bucket.endpoint_url,
                             region=REGION, access_key_id=KEY_ID, secret_access_key=SECRET)


@pytest.fixture(params=["local", "s3"])
def store_objects(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """A media store's objects in a local folder, then in a bucket (tests run with each)."""
    if request.param == "local":
        return LocalObjects(tmp_path / "objects")
    return bucket_objects(request.getfixturevalue("s3_bucket"))


@pytest.fixture
def media_bucket(request: pytest.FixtureRequest, media_settings: dict[str, str]
                 ) -> Bucket | None:
    """The bucket a `@both_media_stores` test keeps its media in; None for MEDIA_DIR."""
    return request.getfixturevalue("s3_bucket") if media_settings else None


def media_store_on(objects: ObjectStore, tmp_path: Path, **limits: int) -> MediaStore:
    """A media store over `objects`: a local folder is its own working folder (as in
    production); a bucket gets `tmp_path/work` as this machine's."""
    work = None if objects.local_path("x") is not None else tmp_path / "work"
    return MediaStore(objects, work_dir=work, **limits)


@contextmanager
def bucket_refusing_photos(bucket: Bucket, media_dir: Path) -> Iterator[list[str]]:
    """Within the block S3 refuses to give any photo kept in `bucket`: each original is archived
    (storage class GLACIER), so S3 answers 403 InvalidObjectState to every read, and this
    machine's clean copies in `media_dir` are gone (as on a worker that never showed them), so
    each photo must come from the bucket. Yields their keys in the store. Afterwards they are
    restored, as S3 restores an archived object, and can be read again."""
    client = bucket.client()
    kept = bucket.keys()
    keys = [key for key in kept if MediaStore.is_photo(key.removeprefix("media/"))]
    assert keys
    for key in keys:
        client.copy_object(Bucket=bucket.name, Key=key, StorageClass="GLACIER",
                           CopySource={"Bucket": bucket.name, "Key": key})
    shutil.rmtree(media_dir / COPIES_DIR, ignore_errors=True)
    try:
        yield [key.removeprefix("media/") for key in keys]
    finally:
        for key in keys:
            client.restore_object(Bucket=bucket.name, Key=key, RestoreRequest={"Days": 1})
