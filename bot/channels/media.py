"""A photo or voice note a person sent through a platform: downloaded to a temporary file beside
the store, kept as its clean copy, or the reason it was not, as the word the flows answer with
(`error.unsupported.<reason>`). One place for what every channel that downloads does, so a full
disk, a file over the cap or a platform that fails half-way get the same friendly answer on
Telegram, Zalo Bot and Zalo OA (the web chat's uploads arrive already on disk: `keep`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.downloads import TooLarge
from storage.media import MediaRejected, MediaStore, MediaUnavailable, StoredMedia

log = logging.getLogger(__name__)

class Download(Protocol):
    async def __call__(self, target: Path, *, max_bytes: int) -> None:
        """Write the platform's file to `target`, refusing more than `max_bytes` (TooLarge)."""


@dataclass(frozen=True)
class MediaKind:
    name: str
    too_large: str
    busy: str
    download_failed: str
    save: str
    """The MediaStore method that keeps a clean copy."""
    cap: str
    """The MediaStore attribute holding the byte cap."""


PHOTO = MediaKind("photo", too_large="too_large", busy="storage_busy",
                  download_failed="download_failed", save="save_image_file",
                  cap="max_image_bytes")
VOICE_NOTE = MediaKind("voice", too_large="voice_too_large", busy="voice_storage_busy",
                       download_failed="voice_download_failed", save="save_voice_file",
                       cap="max_voice_bytes")
VIDEO = MediaKind("video", too_large="video_too_large", busy="storage_busy",
                  download_failed="video_download_failed", save="save_video_file",
                  cap="max_video_bytes")


async def fetch_and_keep(kind: MediaKind, media: MediaStore, download: Download, *,
                         failures: tuple[type[Exception], ...], update_id: str,
                         platform_file_id: str | None = None) -> StoredMedia | str:
    """The stored clean copy of what `download` fetches, or why there is none. `failures`:
    the platform client's errors, answered "could not download, send it again"."""
    try:
        with media.incoming_file() as path:  # to disk, not memory; removed once stored
            await download(path, max_bytes=_cap(kind, media))
            return await keep(kind, media, path, platform_file_id=platform_file_id)
    except TooLarge:
        return kind.too_large
    except MediaUnavailable:  # the store refused (a full disk): busy, try again
        return kind.busy
    except failures as error:
        log.warning(f"{kind.name} download failed",
                    extra={"update_id": update_id, "error": str(error)[:300]})
        return kind.download_failed


async def keep(kind: MediaKind, media: MediaStore, path: Path, *,
               platform_file_id: str | None = None) -> StoredMedia | str:
    """A file already on disk kept as its clean copy, or why not."""
    save = getattr(media, kind.save)
    try:
        return await asyncio.to_thread(save, path, platform_file_id=platform_file_id)
    except MediaUnavailable:
        return kind.busy
    except MediaRejected as rejected:
        return rejected.reason


def refusal(kind: MediaKind, reason: str) -> str:
    """A refusal word as this kind of file says it ("storage_busy" of a voice note is
    "voice_storage_busy": the answer names a voice note, not a photo)."""
    return {"too_large": kind.too_large, "storage_busy": kind.busy}.get(reason, reason)


def _cap(kind: MediaKind, media: MediaStore) -> int:
    cap: int = getattr(media, kind.cap)
    return cap
