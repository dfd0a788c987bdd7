"""Small real images made on the fly, each one different so content hashes differ."""

from __future__ import annotations

import functools
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


# -- photos as phones write them, and the check that none of it leaves the server -------------

PHONE_MAKE, PHONE_MODEL = "Apple", "iPhone 15 Pro Max"
GPS = {1: "N", 2: (21.0, 2.0, 2.76), 3: "E", 4: (105.0, 51.0, 7.56)}  # Hoàn Kiếm
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
       b'exif:GPSLatitude="21,2.046N"/></rdf:RDF></x:xmpmeta>')
COMMENT = b"Nguyen Van A, 12 Hang Bac"


def phone_photo(size: tuple[int, int] = (120, 60)) -> bytes:
    """A JPEG such as a phone writes: GPS position, maker and model, a comment, XMP, an ICC
    profile, and an orientation tag (6: turn 90° clockwise to show), so a wide picture of
    `size` is shown tall. Different on every call."""
    from PIL import ExifTags, ImageCms

    n = next(_counter)
    image = Image.new("RGB", size, ((n * 37) % 256, 120, 200))
    image.putpixel((0, 0), (n % 256, (n // 256) % 256, 7))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = PHONE_MAKE
    exif[ExifTags.Base.Model] = PHONE_MODEL
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif, icc_profile=icc, xmp=XMP,
               comment=COMMENT)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the test photo really carries it all
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo), "no GPS in the test photo"
        assert {"icc_profile", "xmp", "comment"} <= set(check.info), check.info.keys()
    return data


def assert_clean_photo(data: bytes, *, shown_tall: bool = True) -> None:
    """`data` is a re-encoded JPEG with no metadata at all, turned upright (a photo from
    `phone_photo` is wider than tall as stored, taller than wide as shown)."""
    assert data, "no photo bytes"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG", image.format
        assert len(image.getexif()) == 0, dict(image.getexif())
        leftovers = {"exif", "icc_profile", "xmp", "comment", "photoshop"} & set(image.info)
        assert not leftovers, leftovers
        if shown_tall:
            assert image.height > image.width, image.size  # the orientation was applied
    for marker in (b"Exif\x00", b"ICC_PROFILE", b"http://ns.adobe.com", PHONE_MAKE.encode(),
                   PHONE_MODEL.encode(), COMMENT):
        assert marker not in data, marker


@functools.cache
def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid black-and-white PNG of `width` × `height` pixels in about 100 KB (compressed
    zeros), written row block by row block so that making it takes no memory either."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then 1 bit a pixel
    packer = zlib.compressobj(9)
    block = row * 1000
    compressed = [packer.compress(block) for _ in range(height // 1000)]
    compressed += [packer.compress(row * (height % 1000)), packer.flush()]
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", b"".join(compressed)) + chunk(b"IEND", b""))


def heic_photo(size: tuple[int, int] = (120, 60)) -> bytes:
    """An iPhone-style HEIC with GPS, maker and model, and an orientation tag (pillow-heif)."""
    from PIL import ExifTags
    from pillow_heif import register_heif_opener

    register_heif_opener()
    n = next(_counter)
    image = Image.new("RGB", size, ((n * 37) % 256, 90, 160))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = PHONE_MAKE
    exif[ExifTags.Base.Model] = PHONE_MODEL
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()
