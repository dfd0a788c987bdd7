"""Photos and documents, named by content hash so the same file is stored once, kept in an
object store (storage/media_objects.py): a local directory or an S3-compatible bucket.

Originals are kept as evidence and never leave the server: `outgoing` is the one way out, and
for a photo it gives a clean re-encoded copy (storage/media_copies.py), made once and kept.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.media_copies import SIZES, BadImage, clean_jpeg, open_checked
from storage.media_objects import LocalObjects, MediaMissing, ObjectStore

log = logging.getLogger(__name__)

_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                "WEBP": ("image/webp", "webp"), "GIF": ("image/gif", "gif"),
                "HEIF": ("image/heic", "heic")}
_PHOTO_PATH = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})\.(?:jpg|png|webp|gif|heic)$")
COPIES_DIR = "derived"
INCOMING_DIR = "incoming"
DEFAULT_MAX_PIXELS = 40_000_000


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


DERIVED_PREFIXES = (f"{COPIES_DIR}/", f"{INCOMING_DIR}/", "web-cache/")
"""Keys of copies made from other objects (clean photo copies) and of uploads in progress:
never backed up; copies are made again. (web-cache/ held copies before derived/.)"""


class MediaStore:
    """What is kept and under which key; `objects` is where (local directory or bucket). Every
    method blocks: async code calls them through `asyncio.to_thread`."""

    def __init__(self, objects: ObjectStore | Path, *, max_image_bytes: int,
                 max_image_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.objects: ObjectStore = (LocalObjects(objects) if isinstance(objects, Path)
                                     else objects)
        self.max_image_bytes = max_image_bytes
        self.max_image_pixels = max_image_pixels

    @property
    def root(self) -> Path:
        """The local directory (only while callers still read files by path)."""
        path = self.objects.local_path("x")
        if path is None:
            raise RuntimeError("the media store is not a local directory")
        return path.parent

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    # -- in ------------------------------------------------------------------------------------

    @contextmanager
    def incoming_file(self) -> Iterator[Path]:
        """A temporary file for an upload streamed to disk, removed after: beside a local
        store, or in the system's temporary folder (a bucket, or a store refusing writes, whose
        refusal then comes when the photo is kept)."""
        local = self.objects.local_path(f"{INCOMING_DIR}/x")
        try:
            if local is None:
                raise FileNotFoundError("no local store")
            local.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=local.parent, suffix=".part")
        except OSError:
            try:
                descriptor, name = tempfile.mkstemp(suffix=".part")
            except OSError as error:
                raise MediaUnavailable(error) from error
        os.close(descriptor)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def save_image(self, data: bytes, *, platform_file_id: str | None = None) -> StoredMedia:
        """Check the bytes really are an image we accept, then keep them under their hash."""
        if len(data) > self.max_image_bytes:
            raise MediaRejected("too_large")
        with self.incoming_file() as path:
            try:
                path.write_bytes(data)
            except OSError as error:
                raise MediaUnavailable(error) from error
            return self.save_image_file(path, platform_file_id=platform_file_id)

    def save_image_file(self, source: Path, *,
                        platform_file_id: str | None = None) -> StoredMedia:
        """Keep the image in `source` (a file the caller removes) under its hash, once it is
        known to be an image of an accepted kind and size that decodes into a clean copy."""
        size = source.stat().st_size
        if size > self.max_image_bytes:
            raise MediaRejected("too_large")
        try:
            with open_checked(source, self.max_image_pixels) as image:
                fmt = image.format
                image.verify()
        except BadImage as bad:
            log.info("image refused", extra={"reason": bad.reason})
            raise MediaRejected("not_an_image") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise MediaRejected("not_an_image") from exc
        if fmt not in _IMAGE_TYPES:
            raise MediaRejected("not_an_image")
        mime, ext = _IMAGE_TYPES[fmt]
        digest = _sha256(source)
        relative = f"{digest[:2]}/{digest}.{ext}"
        try:  # decoded once now: a photo that cannot make a clean copy is refused here
            self._make_copy(relative, source, "send")
            if not self.objects.exists(relative):
                self.objects.put_file(relative, source)
        except BadImage as bad:
            log.info("image refused", extra={"reason": bad.reason})
            raise MediaRejected("not_an_image") from None
        except OSError as error:
            raise MediaUnavailable(error) from error
        return StoredMedia(digest, relative, mime, size, platform_file_id)

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

    # -- out -----------------------------------------------------------------------------------

    @staticmethod
    def is_photo(relative: str) -> bool:
        return _PHOTO_PATH.match(relative) is not None

    def outgoing(self, relative: str, *, size: str = "send") -> Path:
        """The file that may leave the server for a stored path: a clean copy for a photo,
        the file itself for a document we made (reports). Raises FileNotFoundError."""
        if self.is_photo(relative):
            return self.photo_copy(relative, size)
        try:
            target = self.objects.local_path(relative)
        except ValueError:  # a key that would leave the store
            raise FileNotFoundError(relative) from None
        if target is None or not target.is_file() or relative.startswith(DERIVED_PREFIXES):
            raise FileNotFoundError(relative)
        return target

    def photo_copy(self, relative: str, size: str = "send") -> Path:
        """The clean JPEG copy of a stored photo at `size` (SIZES), made once and kept.

        Raises FileNotFoundError for an unknown photo, BadImage for one that cannot be read."""
        if _PHOTO_PATH.match(relative) is None or size not in SIZES:
            raise FileNotFoundError(relative)
        key = self._copy_key(relative, size)
        if not self.objects.exists(key):
            source = self.objects.local_path(relative)
            if source is None:
                raise RuntimeError("the media store is not a local directory")
            if not source.is_file():
                raise MediaMissing(relative)
            self._make_copy(relative, source, size)
        path = self.objects.local_path(key)
        assert path is not None
        return path

    def _make_copy(self, relative: str, source: Path, size: str) -> None:
        key = self._copy_key(relative, size)
        if not self.objects.exists(key):
            self.objects.put(key, clean_jpeg(source, SIZES[size], self.max_image_pixels))

    @staticmethod
    def _copy_key(relative: str, size: str) -> str:
        found = _PHOTO_PATH.match(relative)
        assert found is not None
        digest = found.group(1)
        return f"{COPIES_DIR}/{size}/{digest[:2]}/{digest}.jpg"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
