"""Photos and documents, named by content hash so the same file is stored once, kept in an
object store (storage/media_objects.py): a local directory or an S3-compatible bucket."""

from __future__ import annotations

import errno
import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from storage.media_objects import LocalObjects, ObjectStore

_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                "WEBP": ("image/webp", "webp"), "GIF": ("image/gif", "gif")}


class MediaRejected(Exception):
    """The bytes are not something we keep; `reason` is a short machine word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediaUnavailable(MediaRejected):
    """The store cannot take the file now (a full or read-only disk, a bucket that refuses):
    the person is told the system is busy and to try again; nothing half-written is left."""

    def __init__(self, error: Exception) -> None:
        super().__init__("storage_busy")
        self.error = error


_WHY = {errno.EROFS: "read_only", errno.ENOSPC: "full", errno.EDQUOT: "full",
        errno.EACCES: "not_writable", errno.EPERM: "not_writable"}


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    path: str  # relative to the media root
    mime_type: str
    size_bytes: int
    platform_file_id: str | None = None


DERIVED_PREFIXES = ("web-cache/",)
"""Keys of copies made from other objects (re-encoded photos): never backed up, made again."""


class MediaStore:
    """What is kept and under which key; `objects` is where (local directory or bucket). Every
    method blocks: async code calls them through `asyncio.to_thread`."""

    def __init__(self, objects: ObjectStore | Path, *, max_image_bytes: int) -> None:
        self.objects: ObjectStore = (LocalObjects(objects) if isinstance(objects, Path)
                                     else objects)
        self.max_image_bytes = max_image_bytes

    @property
    def root(self) -> Path:
        """The local directory (only while callers still read files by path)."""
        path = self.objects.local_path("x")
        if path is None:
            raise RuntimeError("the media store is not a local directory")
        return path.parent

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def save_image(self, data: bytes, *, platform_file_id: str | None = None) -> StoredMedia:
        """Check the bytes really are an image we accept, then keep them under their hash."""
        if len(data) > self.max_image_bytes:
            raise MediaRejected("too_large")
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise MediaRejected("not_an_image") from exc
        if fmt not in _IMAGE_TYPES:
            raise MediaRejected("not_an_image")
        mime, ext = _IMAGE_TYPES[fmt]
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{digest[:2]}/{digest}.{ext}"
        try:
            if not self.objects.exists(relative):
                self.objects.put(relative, data)
        except OSError as error:
            raise MediaUnavailable(error) from error
        return StoredMedia(digest, relative, mime, len(data), platform_file_id)

    def probe(self) -> str | None:
        """None if an object can be written to the store and removed again, else why not, in
        a word for /healthz ("read_only", "full", "not_writable", or the error's name)."""
        key = f"healthz/{uuid.uuid4().hex}.probe"
        try:
            self.objects.put(key, b"ok")
            self.objects.delete(key)
        except OSError as error:
            return _WHY.get(error.errno or 0, error.strerror or type(error).__name__)
        except Exception as error:  # noqa: BLE001  (a bucket's client raises its own kinds)
            return type(error).__name__
        return None
