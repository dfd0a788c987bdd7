"""Files: the photos, documents and voice notes people send and the bot uploads, stored with
the ids and sizes Telegram gives them, and served for download like api.telegram.org/file/."""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
import mimetypes
import random
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.telegram_api.common import (
    JSON,
    MAX_DOWNLOAD_SIZE,
    MAX_FILE_UPLOAD,
    MAX_PHOTO_UPLOAD,
    _ApiError,
    _bad,
    _error_body,
)
from tests.fakes.telegram_api.records import (
    RecordedCall,
    UploadedFile,
)

# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------
_jpeg_seq = itertools.count(1)


def _voice_mime(data: bytes) -> str | None:
    """What Telegram plays as a voice message: OGG/Opus, MP3, M4A (None: something else)."""
    if data.startswith(b"OggS") and b"OpusHead" in data[:200]:
        return "audio/ogg"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def make_jpeg(seed: int | None = None, size: tuple[int, int] = (400, 300)) -> bytes:
    """A small valid JPEG, different for every call (or reproducible with ``seed``).

    The seed is drawn as 32 black/white blocks so two seeds never produce the
    same picture, which keeps content hashes (duplicate-photo checks) distinct.
    """
    from PIL import Image, ImageDraw

    seed = next(_jpeg_seq) if seed is None else seed
    rng = random.Random(seed)
    width, height = size
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(10, width // 2 + 11), y0 + rng.randrange(10, height // 2 + 11)
        draw.rectangle((x0, y0, x1, y1), fill=tuple(rng.randrange(256) for _ in range(3)))
    block = max(1, width // 32)
    for bit in range(32):
        shade = 255 if (seed >> bit) & 1 else 0
        draw.rectangle((bit * block, 0, bit * block + block - 1, block - 1), fill=(shade,) * 3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _photo_variants(data: bytes) -> list[tuple[bytes, int, int]]:
    """Three (bytes, width, height) sizes like Telegram's: 90px, 320px, original last.

    Raises ``ValueError`` when the bytes are not an image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        original = Image.open(io.BytesIO(data))
        original.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("not an image") from exc
    variants: list[tuple[bytes, int, int]] = []
    for side in (90, 320):
        img = original.convert("RGB")
        img.thumbnail((side, side))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        variants.append((buf.getvalue(), img.width, img.height))
    variants.append((data, original.width, original.height))
    return variants


@dataclass(eq=False)
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    file_path: str
    meta: JSON
    photo_sizes: list[JSON] | None = None

    def as_object(self) -> JSON:
        obj: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            obj["file_size"] = len(self.data)
        obj.update(self.meta)
        return obj


class FileStore:
    """The server's file side (mixed into FakeTelegram)."""

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error_body(401, "Unauthorized"), status=401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.json_response(_error_body(404, "Not Found"), status=404)
        content_type = stored.meta.get("mime_type") or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(
            body=stored.data, content_type=content_type or "application/octet-stream"
        )

    def _store_file(self, kind: str, data: bytes | None, *, ext: str, meta: JSON) -> _StoredFile:
        n = next(self._file_seq)
        folder = {
            "photo": "photos",
            "document": "documents",
            "sticker": "stickers",
            "video_note": "video_notes",
            "video": "videos",
            "audio": "music",
        }.get(kind, kind)
        unique = (
            "U" + hashlib.sha256(data).hexdigest()[:15] if data is not None else f"U-{kind}-{n}"
        )
        stored = _StoredFile(
            f"fid-{kind}-{n}", unique, kind, data, f"{folder}/file_{n}.{ext}", dict(meta)
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _register_photo(self, data: bytes | None, *, lenient: bool = False) -> list[JSON]:
        """Store the three PhotoSize variants of an image; largest (original bytes) last."""
        if data is None:  # sent by URL: the fake has no bytes
            variants: list[tuple[bytes | None, int, int]] = [
                (None, 90, 68),
                (None, 320, 240),
                (None, 800, 600),
            ]
        else:
            try:
                variants = list(_photo_variants(data))
            except ValueError:
                if not lenient:
                    raise _bad("IMAGE_PROCESS_FAILED") from None
                variants = [(data, 90, 90), (data, 320, 320), (data, 800, 800)]
        stored = [
            self._store_file("photo", b, ext="jpg", meta={"width": w, "height": h})
            for b, w, h in variants
        ]
        sizes = [s.as_object() for s in stored]
        for s in stored:
            s.photo_sizes = sizes
        return copy.deepcopy(sizes)

    def _resolve_input_file(self, value: Any, call: RecordedCall) -> Any:
        """attach://name -> the uploaded part; anything else unchanged."""
        if isinstance(value, str) and value.startswith("attach://"):
            uploaded = call.files.get(value[len("attach://") :])
            if uploaded is None:
                raise _bad(f"file of the attachment {value!r} is not found")
            return uploaded
        return value

    def _resolve_photo(self, value: Any, call: RecordedCall) -> list[JSON]:
        value = self._resolve_input_file(value, call)
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_PHOTO_UPLOAD:
                raise _bad("PHOTO_INVALID_DIMENSIONS")
            return self._register_photo(value.data)
        if not isinstance(value, str) or not value:
            raise _bad("there is no photo in the request")
        if re.match(r"https?://", value):
            return self._register_photo(None)
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind != "photo" or stored.photo_sizes is None:
            raise _bad("type of file mismatch")
        return copy.deepcopy(stored.photo_sizes)

    def _resolve_file(self, kind: str, value: Any, call: RecordedCall) -> JSON:
        value = self._resolve_input_file(value, call)
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_FILE_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            name = value.filename or f"file.{kind}"
            ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
            mime = (
                value.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            )
            return self._store_file(
                kind, value.data, ext=ext, meta={"file_name": name, "mime_type": mime}
            ).as_object()
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {kind} in the request")
        if re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._store_file(
                kind, None, ext="bin", meta={"file_name": name, "mime_type": mime}
            ).as_object()
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind == "photo":
            raise _bad("type of file mismatch")
        return stored.as_object()

    async def _get_file(self, call: RecordedCall) -> JSON:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.data is not None and len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        obj: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.data is not None:
            obj["file_size"] = len(stored.data)
        return obj
