"""Photos and documents on disk, named by content hash so the same file is stored once.

Originals are kept as evidence and never leave the server: `outgoing` is the one way out, and
for a photo it gives a clean re-encoded copy (storage/media_copies.py), made once and cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.media_copies import SIZES, BadImage, clean_jpeg, open_checked, write_atomically

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


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    path: str  # relative to the media root
    mime_type: str
    size_bytes: int
    platform_file_id: str | None = None


class MediaStore:
    def __init__(self, root: Path, *, max_image_bytes: int,
                 max_image_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.root = Path(root)
        self.max_image_bytes = max_image_bytes
        self.max_image_pixels = max_image_pixels

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    # -- in ------------------------------------------------------------------------------------

    @contextmanager
    def incoming_file(self) -> Iterator[Path]:
        """A temporary file beside the store for an upload streamed to disk, removed after."""
        folder = self.root / INCOMING_DIR
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, suffix=".part")
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
            path.write_bytes(data)
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
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            shutil.copyfile(source, partial)
            partial.replace(target)
        try:  # decoded once now: a photo that cannot make a clean copy is refused here
            self.photo_copy(relative, "send")
        except BadImage as bad:
            log.info("image refused", extra={"reason": bad.reason})
            raise MediaRejected("not_an_image") from None
        return StoredMedia(digest, relative, mime, size, platform_file_id)

    # -- out -----------------------------------------------------------------------------------

    @staticmethod
    def is_photo(relative: str) -> bool:
        return _PHOTO_PATH.match(relative) is not None

    def outgoing(self, relative: str, *, size: str = "send") -> Path:
        """The file that may leave the server for a stored path: a clean copy for a photo,
        the file itself for a document we made (reports). Raises FileNotFoundError."""
        if self.is_photo(relative):
            return self.photo_copy(relative, size)
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            raise FileNotFoundError(relative)
        return target

    def photo_copy(self, relative: str, size: str = "send") -> Path:
        """The clean JPEG copy of a stored photo at `size` (SIZES), made once and kept.

        Raises FileNotFoundError for an unknown photo, BadImage for one that cannot be read."""
        found = _PHOTO_PATH.match(relative)
        if found is None or size not in SIZES:
            raise FileNotFoundError(relative)
        digest = found.group(1)
        target = self.root / COPIES_DIR / size / digest[:2] / f"{digest}.jpg"
        if not target.exists():
            source = self.root / relative
            if not source.is_file():
                raise FileNotFoundError(relative)
            write_atomically(target, clean_jpeg(source, SIZES[size], self.max_image_pixels))
        return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
