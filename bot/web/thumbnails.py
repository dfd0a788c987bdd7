"""Re-encoded copies of stored photos, at the sizes the web shows, made with Pillow.

Re-encoding is also a privacy step: phones write the GPS position and the device into a photo's
EXIF data, and the original bytes are never served; these copies carry no metadata.
Copies are cached on disk by content hash and size, written atomically, so concurrent requests
for the same photo are harmless.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import uuid
from pathlib import Path

from PIL import Image, ImageOps

SIZES = {"thumb": 320, "large": 1280}


class Thumbnailer:
    def __init__(self, media_root: Path, cache_dir: Path) -> None:
        self.media_root = Path(media_root)
        self.cache_dir = Path(cache_dir)

    async def path_for(self, *, relative_path: str, sha256: str, size: str) -> Path:
        """The cached copy of a stored photo at `size` ("thumb" or "large"), made if missing."""
        target = self.cache_dir / size / sha256[:2] / f"{sha256}.jpg"
        if not target.exists():
            await asyncio.to_thread(self._make, self.media_root / relative_path, target,
                                    SIZES[size])
        return target

    async def data_url(self, *, relative_path: str, size: str = "thumb") -> str:
        """A small copy inline, for the web chat, where media is private to one person."""
        data = await asyncio.to_thread(_encode, self.media_root / relative_path, SIZES[size])
        return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")

    @staticmethod
    def _make(source: Path, target: Path, side: int) -> None:
        data = _encode(source, side)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        os.replace(partial, target)


def _encode(source: Path, side: int) -> bytes:
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return buffer.getvalue()
