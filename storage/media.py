"""Photos and documents on disk, named by content hash so the same file is stored once."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                "WEBP": ("image/webp", "webp"), "GIF": ("image/gif", "gif")}


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
    def __init__(self, root: Path, *, max_image_bytes: int) -> None:
        self.root = Path(root)
        self.max_image_bytes = max_image_bytes

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
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        return StoredMedia(digest, relative, mime, len(data), platform_file_id)
