"""Voice notes in the media store: kept as a clean OGG/Opus copy (the phone's original with its
tags is never kept), refused past the caps with the reason, and copied to AAC for players
without Opus; on a local folder and in a bucket alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.media import DERIVED_PREFIXES, MediaRejected, MediaStore
from tests.support.s3 import media_store_on
from tests.support.voices import assert_clean_voice, voice_note


@pytest.fixture
def media(tmp_path: Path, store_objects) -> MediaStore:
    return media_store_on(store_objects, tmp_path, max_image_bytes=10_000_000,
                          max_voice_bytes=400_000, max_voice_seconds=20)


def _keep(media: MediaStore, tmp_path: Path, data: bytes):
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    return media.save_voice_file(source, platform_file_id="f1")


@pytest.mark.parametrize("kind", ["ogg", "m4a", "webm", "aac"])
def test_a_voice_note_is_kept_clean_whatever_the_phone_recorded(media, tmp_path, kind):
    stored = _keep(media, tmp_path, voice_note(6, kind=kind))
    assert stored.path == f"voice/{stored.sha256[:2]}/{stored.sha256}.ogg"
    assert stored.mime_type == "audio/ogg"
    assert stored.duration_seconds == 6 and stored.platform_file_id == "f1"
    kept = media.objects.get(stored.path)
    assert len(kept) == stored.size_bytes
    assert_clean_voice(kept, seconds=6)
    assert_clean_voice(media.outgoing(stored.path).read_bytes(), seconds=6)
    assert [info.key for info in media.objects.list()] == [stored.path]  # only the clean one


def test_aac_copies_are_clean_and_made_once(media, tmp_path):
    stored = _keep(media, tmp_path, voice_note(3))
    for extension, container in (("aac", "aac"), ("m4a", "mp4")):
        variant = media.voice_variant(stored.path, extension)
        made = media.outgoing(variant)
        assert_clean_voice(made.read_bytes(), seconds=3, container=container)
        assert media.outgoing(variant).stat().st_mtime_ns == made.stat().st_mtime_ns
    kept = [info.key for info in media.objects.list() if not info.key.startswith(DERIVED_PREFIXES)]
    assert kept == [stored.path]  # copies live in the working folder, never kept


@pytest.mark.parametrize(("data", "reason"), [
    (voice_note(25), "voice_too_long"),
    (b"OggS\x00not really a voice note" * 10, "not_audio"),
    (b"\x00" * 450_000, "voice_too_large"),
])
def test_what_is_refused_says_why_and_leaves_nothing(media, tmp_path, data, reason):
    with pytest.raises(MediaRejected) as refused:
        _keep(media, tmp_path, data)
    assert refused.value.reason == reason
    assert list(media.objects.list()) == []
    assert not list((media.root / "incoming").glob("*"))


def test_an_unknown_voice_copy_is_not_found(media):
    with pytest.raises(FileNotFoundError):
        media.outgoing("voice/ab/" + "0" * 64 + ".aac")
    with pytest.raises(FileNotFoundError):
        media.voice_variant("voice/ab/" + "0" * 64 + ".jpg", "aac")
