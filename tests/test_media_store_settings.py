"""MEDIA_STORE picks the media store: empty for MEDIA_DIR, s3://bucket/prefix for a bucket;
anything else stops start-up with a line that says what is expected."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.media_store import open_media_store
from settings import Settings
from storage.media_objects import LocalObjects
from storage.media_s3 import S3Objects


@pytest.mark.parametrize("value", ["/srv/media", "s3://", "s3://Upper_Case/x", "file:///tmp"])
def test_anything_but_a_bucket_url_is_refused(value):
    with pytest.raises(ValidationError, match=r"s3://bucket/prefix"):
        Settings(_env_file=None, media_store=value)


def test_the_store_follows_the_settings(s3_bucket, tmp_path):
    default = open_media_store(Settings(_env_file=None, media_dir=tmp_path).media)
    assert isinstance(default.objects, LocalObjects) and default.objects.root == tmp_path

    shared = open_media_store(
        Settings(_env_file=None, media_dir=tmp_path, **s3_bucket.settings).media)
    assert isinstance(shared.objects, S3Objects)
    assert shared.objects.location == f"s3://{s3_bucket.name}/media/"
    shared.objects.put("ab/x.jpg", b"x")
    assert s3_bucket.keys() == ["media/ab/x.jpg"]
