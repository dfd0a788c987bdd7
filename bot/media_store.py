"""The media store the settings name (MEDIA_DIR on this machine)."""

from __future__ import annotations

from settings import Settings
from storage.media import MediaStore
from storage.media_objects import LocalObjects, ObjectStore


def media_objects(settings: Settings) -> ObjectStore:
    return LocalObjects(settings.media_dir)


def open_media_store(settings: Settings) -> MediaStore:
    return MediaStore(media_objects(settings), max_image_bytes=settings.max_photo_bytes,
                      max_image_pixels=settings.max_photo_pixels)
