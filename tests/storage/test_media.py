"""The media store: originals kept as evidence, only clean copies go out; images that claim
too many pixels are refused before anything is decoded; HEIC from iPhones is accepted; each
copy is made once and kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from storage.media import MediaRejected, MediaStore
from tests.support.images import (
    assert_clean_photo,
    heic_photo,
    jpeg_bytes,
    phone_photo,
    png_bomb,
)
from tests.support.s3 import media_store_on


@pytest.fixture
def media(tmp_path: Path, store_objects) -> MediaStore:
    """Originals in a local folder, then in an S3 bucket (`store_objects`)."""
    return media_store_on(store_objects, tmp_path, max_image_bytes=10_000_000)


def test_the_original_is_kept_and_only_a_clean_copy_goes_out(media):
    original = phone_photo()
    stored = media.save_image(original)
    assert media.objects.get(stored.path) == original  # evidence, untouched
    for size in ("send", "large", "thumb"):
        out = media.outgoing(stored.path, size=size)
        assert out != media.absolute(stored.path)
        assert_clean_photo(out.read_bytes())


def test_a_copy_is_made_once_and_then_kept(media):
    stored = media.save_image(phone_photo())
    first = media.photo_copy(stored.path, "large")
    made = first.stat()
    again = media.photo_copy(stored.path, "large")
    assert again == first
    assert (again.stat().st_ino, again.stat().st_mtime_ns) == (made.st_ino, made.st_mtime_ns)


@pytest.mark.parametrize("size", [(30000, 30000), (8000, 6000)])
def test_an_image_over_the_pixel_cap_is_refused_before_decoding(media, size):
    """30000² trips Pillow's own bomb check, 8000×6000 (48 MP) only our 40 MP cap."""
    with pytest.raises(MediaRejected) as refused:
        media.save_image(png_bomb(*size))
    assert refused.value.reason == "not_an_image"
    assert not any(p.is_file() for p in media.root.rglob("*"))  # nothing kept, no leftovers
    assert list(media.objects.list()) == []


def test_the_pixel_cap_is_a_setting(tmp_path):
    small = MediaStore(tmp_path, max_image_bytes=10_000_000, max_image_pixels=100 * 100)
    small.save_image(jpeg_bytes((100, 100)))
    with pytest.raises(MediaRejected):
        small.save_image(jpeg_bytes((101, 100)))


def test_an_iphone_heic_is_accepted_and_goes_out_as_a_clean_jpeg(media):
    stored = media.save_image(heic_photo())
    assert stored.path.endswith(".heic") and stored.mime_type == "image/heic"
    with Image.open(io.BytesIO(media.objects.get(stored.path))) as original:  # GPS kept
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert_clean_photo(media.outgoing(stored.path).read_bytes())


def test_outgoing_never_gives_a_path_outside_the_store(media, tmp_path):
    (tmp_path / "secret.txt").write_text("no")
    for path in ("../secret.txt", "ab/" + "0" * 64 + ".jpg", "derived/../../secret.txt"):
        with pytest.raises(FileNotFoundError):
            media.outgoing(path)


def test_a_truncated_photo_is_refused(media):
    whole = jpeg_bytes((400, 300))
    with pytest.raises(MediaRejected):
        media.save_image(whole[: len(whole) // 2])
    with Image.open(io.BytesIO(whole)) as image:  # the whole one was fine
        assert image.size == (400, 300)
