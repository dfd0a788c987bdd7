"""A web chat upload (photos, or a voice note), read part by part straight to temporary files
beside the store.

Nothing of a photo is held in memory: each part is written to disk in 64 KiB chunks and
abandoned (file removed, rest of the part drained) as soon as it passes the byte cap. The files
live only while the upload is being handled (`MediaStore.incoming_file`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import BodyPartReader, web

from bot.webchat.convert import BadEvent
from storage.media import MediaRejected, MediaStore, MediaUnavailable

MAX_PHOTOS_PER_UPLOAD = 10
CHUNK_BYTES = 65536


@dataclass
class Upload:
    action_id: str | None = None
    files: list[Path | str] = field(default_factory=list)
    """One entry per photo part, in order: its temporary file, or why there is none
    ("too_large", "storage_busy": `MediaRejected` reasons)."""


@asynccontextmanager
async def streamed_upload(request: web.Request, media: MediaStore, *, part_name: str = "photo",
                          max_files: int = MAX_PHOTOS_PER_UPLOAD,
                          max_bytes: int | None = None) -> AsyncIterator[Upload]:
    """The action id and up to `max_files` files (ten photos, or one voice note) of a
    multipart upload, on disk while in use."""
    upload = Upload()
    limit = media.max_image_bytes if max_bytes is None else max_bytes
    async with AsyncExitStack() as files:
        try:
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    raise BadEvent("nested multipart is not supported")
                if part.name == "id":
                    raw = await _read_small(part, 64)
                    upload.action_id = raw.decode("utf-8", "replace") if raw else None
                elif part.name == part_name and len(upload.files) < max_files:
                    upload.files.append(await _kept(part, media, files, limit))
                else:
                    await part.release()
        except (AssertionError, ValueError, KeyError, LookupError):  # aiohttp's checks
            raise BadEvent("body must be multipart/form-data") from None
        yield upload


async def _kept(part: BodyPartReader, media: MediaStore, files: AsyncExitStack,
                limit: int) -> Path | str:
    try:
        path = files.enter_context(media.incoming_file())
        kept = await _write_at_most(part, path, limit)
    except MediaRejected as refused:
        await part.release()
        return refused.reason
    except OSError as error:  # the disk filled up while writing
        await part.release()
        return MediaUnavailable(error).reason
    return path if kept else "too_large"


async def _read_small(part: BodyPartReader, limit: int) -> bytes | None:
    data = b""
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data += chunk
        if len(data) > limit:
            await part.release()
            return None
    return data


async def _write_at_most(part: BodyPartReader, path: Path, limit: int) -> bool:
    """Write the part to `path`; False (the rest drained) once it is larger than `limit`."""
    size = 0
    with path.open("wb") as handle:
        while chunk := await part.read_chunk(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                await part.release()
                return False
            handle.write(chunk)
    return True
