"""Small real images made on the fly, each one different so content hashes differ."""

from __future__ import annotations

import io
import itertools

from PIL import Image

_counter = itertools.count(1)


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    n = next(_counter)
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    image.putpixel((0, 0), (n % 256, (n // 256) % 256, 7))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
