"""The only photos that leave the server: clean, re-encoded copies of what people sent.

Phones write the GPS position, the maker and model, the time and more into a photo (EXIF, XMP,
comments), and an anonymous citizen's photo must not carry them to an official. Every photo
sent or served — to any channel, the web chat, the public map — is a JPEG made here: decoded,
turned upright by its orientation tag, converted to sRGB, shrunk, and saved with no metadata
at all. Originals stay in the store as evidence and are never sent.

Decoding is where an image can hurt: a few kilobytes of PNG can claim 30,000 × 30,000 pixels
and take gigabytes to decode. The pixel count is read from the header and refused above a cap
before anything is decoded, and Pillow's own decompression-bomb checks are errors here too.
"""

from __future__ import annotations

import functools
import io
import logging
import warnings
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

# A warning Pillow gives for a large image is an error wherever we decode people's images.
warnings.simplefilter("error", Image.DecompressionBombWarning)

SIZES = {"thumb": 320, "large": 1280, "send": 2048}
"""Longest side of each copy: map thumbnails, web previews, photos sent on a channel."""
QUALITY = 85
_SRGB = ImageCms.createProfile("sRGB")


class BadImage(Exception):
    """Not an image we can use; `reason` says why, for logs (people hear "not an image")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_checked(source: Path | io.BytesIO, max_pixels: int) -> Image.Image:
    """Open an image lazily (header only) and refuse it if it has more than `max_pixels`.

    The caller closes the image. Nothing has been decoded when this returns."""
    if _is_heif(source):
        _register_heif()
    try:
        image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage("too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadImage("not_an_image") from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise BadImage("too_many_pixels")
    return image


def _is_heif(source: Path | io.BytesIO) -> bool:
    """Whether the file is ISO base media (an iPhone's HEIC, or AVIF): an `ftyp` box first."""
    if isinstance(source, Path):
        try:
            with source.open("rb") as file:
                head = file.read(12)
        except OSError:
            return False
    else:
        head = source.getvalue()[:12]
    return head[4:8] == b"ftyp"


@functools.cache
def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF when the first such photo arrives. pillow-heif is imported here,
    not at the top: its codecs cost every worker several MB, and most photos are JPEGs."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def clean_jpeg(source: Path, side: int, max_pixels: int) -> bytes:
    """The photo at `source` as a metadata-free sRGB JPEG at most `side` pixels on a side."""
    with open_checked(source, max_pixels) as opened:
        try:
            if opened.format == "JPEG":  # decode at a reduced scale when that is enough
                opened.draft("RGB", (side, side))
            opened.seek(0)
            upright = ImageOps.exif_transpose(opened)
            image = _srgb(upright, opened.info.get("icc_profile"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadImage("too_many_pixels") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise BadImage("not_an_image") from exc
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    image.info = {}  # comments and the like would otherwise be written again
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB pixels as sRGB; transparency over white (a JPEG has none)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(backdrop, rgba).convert("RGB")
    else:
        rgb = image.convert("RGB")
    if icc:  # e.g. an iPhone's Display P3: convert the colours rather than drop the profile
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
            if converted is not None:
                rgb = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            log.info("photo colour profile unreadable; pixels kept as they are")
    return rgb
