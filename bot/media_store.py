"""The media store the settings name: MEDIA_DIR on this machine, or an S3-compatible bucket
(MEDIA_STORE=s3://bucket/prefix) that workers on several machines share; MEDIA_DIR is then
this machine's working folder (uploads on their way in, clean copies of photos)."""

from __future__ import annotations

from settings import MediaSettings
from storage.media import MediaStore
from storage.media_objects import LocalObjects, ObjectStore


def media_objects(settings: MediaSettings) -> ObjectStore:
    if not settings.store:
        return LocalObjects(settings.dir)
    from storage.media_s3 import S3Objects  # boto3 only where a bucket is used

    secret = settings.s3_secret_access_key
    return S3Objects.connect(
        settings.store, endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region, access_key_id=settings.s3_access_key_id,
        secret_access_key=(secret.get_secret_value() or None) if secret else None)


def open_media_store(settings: MediaSettings) -> MediaStore:
    return MediaStore(media_objects(settings), max_image_bytes=settings.max_photo_bytes,
                      max_image_pixels=settings.max_photo_pixels,
                      max_voice_bytes=settings.voice_max_bytes,
                      max_voice_seconds=settings.voice_max_seconds,
                      max_video_bytes=settings.video_max_bytes,
                      max_video_seconds=settings.video_max_seconds, work_dir=settings.dir)
