"""The media store's two homes keep bytes the same way: a local folder and an S3-compatible
bucket (moto's server on 127.0.0.1, over HTTP), so every worker sees the same objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.media import MediaStore
from storage.media_objects import MediaMissing
from tests.support.images import assert_clean_photo, phone_photo
from tests.support.s3 import Bucket, bucket_objects


def test_objects_are_written_read_listed_and_deleted(store_objects, tmp_path):
    store_objects.put("ab/one.jpg", b"first")
    source = tmp_path / "book.xlsx"
    source.write_bytes(b"PK workbook")
    store_objects.put_file("reports/book.xlsx", source)

    assert store_objects.get("ab/one.jpg") == b"first"
    assert store_objects.exists("reports/book.xlsx") and not store_objects.exists("ab/two.jpg")
    fetched = tmp_path / "fetched.xlsx"
    store_objects.get_file("reports/book.xlsx", fetched)
    assert fetched.read_bytes() == b"PK workbook"
    listed = {info.key: info for info in store_objects.list()}
    assert sorted(listed) == ["ab/one.jpg", "reports/book.xlsx"]
    assert listed["ab/one.jpg"].size == 5
    assert abs(listed["ab/one.jpg"].modified - datetime.now(UTC)) < timedelta(minutes=5)
    assert [info.key for info in store_objects.list("reports/")] == ["reports/book.xlsx"]

    store_objects.delete("ab/one.jpg")
    assert [info.key for info in store_objects.list()] == ["reports/book.xlsx"]
    with pytest.raises(MediaMissing):
        store_objects.get("ab/one.jpg")
    with pytest.raises(MediaMissing):
        store_objects.get_file("ab/one.jpg", tmp_path / "nothing")


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "ab//c", "a/./b", "", "a\\b",
                                 "ab/upload.part"])
def test_a_key_outside_the_store_is_refused(store_objects, key):
    with pytest.raises(ValueError):
        store_objects.put(key, b"x")
    with pytest.raises(ValueError):
        store_objects.get(key)


def test_a_photo_kept_by_one_worker_is_served_clean_by_another(s3_bucket: Bucket, tmp_path):
    """Two machines: each has its own working folder, both the same bucket."""
    first = MediaStore(bucket_objects(s3_bucket), max_image_bytes=10_000_000,
                       work_dir=tmp_path / "worker-1")
    second = MediaStore(bucket_objects(s3_bucket), max_image_bytes=10_000_000,
                       work_dir=tmp_path / "worker-2")
    original = phone_photo()

    stored = first.save_image(original)

    assert s3_bucket.keys() == [f"media/{stored.path}"]
    assert s3_bucket.client().get_object(Bucket=s3_bucket.name, Key=f"media/{stored.path}")[
        "Body"].read() == original  # kept as sent, as evidence
    assert not any(path.is_file() for path in (tmp_path / "worker-1").rglob("*")
                   if "derived" not in path.parts)  # no original left on the machine
    copy = second.outgoing(stored.path, size="large")
    assert copy.is_relative_to(tmp_path / "worker-2")
    assert_clean_photo(copy.read_bytes())
    with pytest.raises(FileNotFoundError):
        second.outgoing("00/" + "0" * 64 + ".jpg")


def test_a_report_workbook_written_on_one_worker_is_sent_from_another(s3_bucket, tmp_path):
    first = MediaStore(bucket_objects(s3_bucket), max_image_bytes=1,
                       work_dir=tmp_path / "worker-1")
    second = MediaStore(bucket_objects(s3_bucket), max_image_bytes=1,
                       work_dir=tmp_path / "worker-2")
    target = first.document_target("reports/h1.xlsx")
    target.write_bytes(b"PK first")
    first.keep_document("reports/h1.xlsx", target)

    assert not target.exists()  # uploaded, not left behind
    assert s3_bucket.keys() == ["media/reports/h1.xlsx"]
    assert second.outgoing("reports/h1.xlsx").read_bytes() == b"PK first"
    rebuilt = first.document_target("reports/h1.xlsx")  # built again under the same name
    rebuilt.write_bytes(b"PK second")
    first.keep_document("reports/h1.xlsx", rebuilt)
    assert second.outgoing("reports/h1.xlsx").read_bytes() == b"PK second"

    assert second.forget_documents("reports/", written_before=datetime.now(UTC)
                                   - timedelta(days=1)) == 0
    assert second.forget_documents("reports/", written_before=datetime.now(UTC)
                                   + timedelta(days=1)) == 1
    assert s3_bucket.keys() == []
    assert not any((tmp_path / "worker-2").rglob("*.xlsx"))  # nor the copy fetched to send
