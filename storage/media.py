"""Photos and documents, named by content hash so the same file is stored once, kept in an
object store (storage/media_objects.py): a local directory or an S3-compatible bucket shared by
workers on several machines.

Originals are kept as evidence and never leave the server: `outgoing` is the one way out, and
for a photo it gives a clean re-encoded copy (storage/media_copies.py), made once and kept.

`root` is this machine's working folder: uploads being checked (incoming/), clean copies
(derived/), documents fetched from a bucket to send (fetched/). With a local store it is the
store's own directory, as it always was; with a bucket, MEDIA_DIR.
"""

from __future__ import annotations

import contextlib
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
from datetime import datetime
from pathlib import Path

from storage.media_audio import BadAudio, aac_copy, clean_voice
from storage.media_copies import SIZES, BadImage, clean_jpeg, open_checked
from storage.media_objects import LocalObjects, MediaMissing, ObjectStore, check_key
from storage.media_video import BadVideo, clean_video

log = logging.getLogger(__name__)

_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                "WEBP": ("image/webp", "webp"), "GIF": ("image/gif", "gif"),
                "HEIF": ("image/heic", "heic")}
_PHOTO_PATH = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})\.(?:jpg|png|webp|gif|heic)$")
VOICE_DIR = "voice"
_VOICE_PATH = re.compile(r"^(voice/[0-9a-f]{2}/[0-9a-f]{64})\.(ogg|aac|m4a)$")
"""A kept voice note is `voice/ab/<sha256>.ogg`, already clean (a folder of its own, so notes
nobody kept can be swept without listing every photo); `.aac` and `.m4a` name its AAC copies
(for Zalo and for browsers without Opus), made on first use like a photo's copies."""
VOICE_MIME = "audio/ogg"
_AAC_CONTAINERS = {"aac": "adts", "m4a": "ipod"}
DEFAULT_MAX_VOICE_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_VOICE_SECONDS = 120
VIDEO_DIR = "video"
VIDEO_MIME = "video/mp4"
DEFAULT_MAX_VIDEO_BYTES = 20 * 1024 * 1024
"""Telegram's Bot API lets a bot download files up to 20 MB (getFile): the same cap everywhere,
so a person hears one rule whatever app they use."""
DEFAULT_MAX_VIDEO_SECONDS = 180
COPIES_DIR = "derived"
INCOMING_DIR = "incoming"
FETCHED_DIR = "fetched"
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
_DISK_REFUSALS = {*_WHY, errno.EIO, errno.EFBIG}
"""A disk that will not take a file now (full, read-only, failing, over a size limit)."""


def _why(error: OSError) -> str:
    """The refusal in a word, for logs and /healthz."""
    return _WHY.get(error.errno or 0, error.strerror or type(error).__name__)


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    path: str  # relative to the media root
    mime_type: str
    size_bytes: int
    platform_file_id: str | None = None
    duration_seconds: int | None = None
    """How long a voice note or a video plays (None for photos)."""
    poster_path: str | None = None
    """A video's poster frame (JPEG), kept beside it."""
    width: int | None = None
    height: int | None = None


DERIVED_PREFIXES = (f"{COPIES_DIR}/", f"{INCOMING_DIR}/", f"{FETCHED_DIR}/", "web-cache/",
                    "healthz/")
"""The working folders under `root` (clean photo copies, uploads in progress, documents fetched
from a bucket) and /healthz's probes: never kept objects, never backed up; copies are made
again. (web-cache/ held copies before derived/.)"""


class MediaStore:
    """What is kept and under which key; `objects` is where (local directory or bucket). Every
    method blocks: async code calls them through `asyncio.to_thread`."""

    def __init__(self, objects: ObjectStore | Path, *, max_image_bytes: int,
                 max_image_pixels: int = DEFAULT_MAX_PIXELS,
                 max_voice_bytes: int = DEFAULT_MAX_VOICE_BYTES,
                 max_voice_seconds: int = DEFAULT_MAX_VOICE_SECONDS,
                 max_video_bytes: int = DEFAULT_MAX_VIDEO_BYTES,
                 max_video_seconds: int = DEFAULT_MAX_VIDEO_SECONDS,
                 work_dir: Path | None = None) -> None:
        self.objects: ObjectStore = (LocalObjects(objects) if isinstance(objects, Path)
                                     else objects)
        if work_dir is None:
            local = self.objects.local_path("x")
            if local is None:
                raise ValueError("a media store in a bucket needs a local work_dir")
            work_dir = local.parent
        self.root = Path(work_dir)
        self.work = LocalObjects(self.root)
        """This machine's working folder, as a store of its own (atomic writes)."""
        self.max_image_bytes = max_image_bytes
        self.max_image_pixels = max_image_pixels
        self.max_voice_bytes = max_voice_bytes
        self.max_voice_seconds = max_voice_seconds
        self.max_video_bytes = max_video_bytes
        self.max_video_seconds = max_video_seconds

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    # -- in ------------------------------------------------------------------------------------

    @contextmanager
    def incoming_file(self) -> Iterator[Path]:
        """A temporary file for an upload streamed to disk (or an original fetched from a
        bucket), removed after: in the working folder, or in the system's temporary folder
        when that one refuses writes (whose refusal then comes when the photo is kept).

        Whoever fills it (a channel downloading a photo, a bucket's client) may meet a disk
        that fills up or fails half-way, or a bucket that refuses: that refusal leaves the block
        as `MediaUnavailable` ("busy, try again"), the same answer on every channel, and the
        file is removed."""
        folder = self.root / INCOMING_DIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=folder, suffix=".part")
        except OSError:
            try:
                descriptor, name = tempfile.mkstemp(suffix=".part")
            except OSError as error:
                raise MediaUnavailable(error) from error
        os.close(descriptor)
        path = Path(name)
        try:
            yield path
        except OSError as error:
            if error.errno not in _DISK_REFUSALS:
                raise
            raise MediaUnavailable(error) from error
        finally:
            with contextlib.suppress(OSError):
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
        except BadImage as bad:
            log.info("image refused", extra={"reason": bad.reason})
            raise MediaRejected("not_an_image") from None
        except OSError as error:  # the working folder cannot take the copy
            raise MediaUnavailable(error) from error
        try:
            if not self.objects.exists(relative):
                self.objects.put_file(relative, source)
        except OSError as error:  # a full or read-only disk; a bucket that refuses
            raise MediaUnavailable(error) from error
        return StoredMedia(digest, relative, mime, size, platform_file_id)

    def save_voice_file(self, source: Path, *,
                        platform_file_id: str | None = None) -> StoredMedia:
        """Keep a voice note (a file the caller removes) as a clean OGG/Opus copy, once it is
        known to be sound within the caps; the original, with whatever tags the phone wrote,
        is never kept. Refusals: "voice_too_large", "voice_too_long", "not_audio"."""
        if source.stat().st_size > self.max_voice_bytes:
            raise MediaRejected("voice_too_large")
        with self.incoming_file() as clean:
            try:
                sound = clean_voice(source, clean, max_seconds=self.max_voice_seconds)
            except BadAudio as bad:
                log.info("voice refused", extra={"reason": bad.reason})
                raise MediaRejected("voice_too_long" if bad.reason == "too_long"
                                    else "not_audio") from None
            except OSError as error:  # the working folder cannot take the clean copy
                raise MediaUnavailable(error) from error
            digest = _sha256(clean)
            relative = f"{VOICE_DIR}/{digest[:2]}/{digest}.ogg"
            size = clean.stat().st_size
            try:
                if not self.objects.exists(relative):
                    self.objects.put_file(relative, clean)
            except OSError as error:
                raise MediaUnavailable(error) from error
        return StoredMedia(digest, relative, VOICE_MIME, size, platform_file_id,
                           duration_seconds=max(1, round(sound.seconds)))

    def save_video_file(self, source: Path, *,
                        platform_file_id: str | None = None) -> StoredMedia:
        """Keep a short video (a file the caller removes) as a clean MP4 with its poster frame,
        once it is known to be a video within the caps; the original, with the place and
        device the phone wrote into it, is never kept. Refusals: "video_too_large",
        "video_too_long", "not_video"."""
        if source.stat().st_size > self.max_video_bytes:
            raise MediaRejected("video_too_large")
        with self.incoming_file() as clean, self.incoming_file() as poster:
            try:
                made = clean_video(source, clean, poster, max_seconds=self.max_video_seconds)
            except BadVideo as bad:
                log.info("video refused", extra={"reason": bad.reason})
                raise MediaRejected("video_too_long" if bad.reason == "too_long"
                                    else "not_video") from None
            except OSError as error:  # the working folder cannot take the clean copy
                raise MediaUnavailable(error) from error
            digest = _sha256(clean)
            relative = f"{VIDEO_DIR}/{digest[:2]}/{digest}.mp4"
            poster_key = f"{VIDEO_DIR}/{digest[:2]}/{digest}.jpg"
            size = clean.stat().st_size
            try:
                for key, path in ((relative, clean), (poster_key, poster)):
                    if not self.objects.exists(key):
                        self.objects.put_file(key, path)
            except OSError as error:
                raise MediaUnavailable(error) from error
        return StoredMedia(digest, relative, VIDEO_MIME, size, platform_file_id,
                           duration_seconds=max(1, round(made.seconds)), poster_path=poster_key,
                           width=made.width, height=made.height)

    def probe(self) -> str | None:
        """None if an object can be written to the store (and, beside a bucket, a file to the
        working folder) and removed again, else why not, in a word for /healthz ("read_only",
        "full", "not_writable", or the error's name)."""
        stores = [self.objects] if self.objects.local_path("x") else [self.objects, self.work]
        key = f"healthz/{uuid.uuid4().hex}.probe"
        for store in stores:
            try:
                store.put(key, b"ok")
                store.delete(key)
            except OSError as error:
                return _why(error)
            except Exception as error:  # noqa: BLE001  (a bucket's client raises its own kinds)
                return type(error).__name__
        return None

    # -- out -----------------------------------------------------------------------------------

    @staticmethod
    def is_photo(relative: str) -> bool:
        return _PHOTO_PATH.match(relative) is not None

    @staticmethod
    def voice_variant(relative: str, extension: str) -> str:
        """The path of a kept voice note's copy in another format ("aac", "m4a")."""
        found = _VOICE_PATH.match(relative)
        if found is None or extension not in _AAC_CONTAINERS:
            raise FileNotFoundError(relative)
        return f"{found.group(1)}.{extension}"

    def outgoing(self, relative: str, *, size: str = "send") -> Path:
        """The file that may leave the server for a stored path: a clean copy for a photo,
        the file itself for a document we made (reports).

        Raises FileNotFoundError for a path not kept, BadImage for a photo that cannot be read
        as one, and MediaUnavailable when the store refuses now (a bucket unreachable or
        refusing, a disk too full for the copy): logged here, naming the object key."""
        with self._serving(relative):
            if self.is_photo(relative):
                return self._photo_copy(relative, size)
            voice = _VOICE_PATH.match(relative)
            if voice is not None and voice.group(2) in _AAC_CONTAINERS:
                return self._voice_copy(voice.group(1), voice.group(2))
            return self._document(relative)

    def photo_copy(self, relative: str, size: str = "send") -> Path:
        """The clean JPEG copy of a stored photo at `size` (SIZES), made once and kept.

        Raises as `outgoing` does."""
        with self._serving(relative):
            return self._photo_copy(relative, size)

    @contextmanager
    def _serving(self, key: str) -> Iterator[None]:
        """A refusal of the store while a file is got ready to leave becomes MediaUnavailable,
        logged with the object key (a content hash or a report's name, never personal data)
        so an operator can find it in the bucket."""
        try:
            yield
        except FileNotFoundError:
            raise
        except (MediaUnavailable, OSError) as refused:
            error = refused.error if isinstance(refused, MediaUnavailable) else refused
            log.warning("media store refused a file on its way out",
                        extra={"key": key, "store": self.objects.location,
                               "reason": _why(error) if isinstance(error, OSError)
                               else type(error).__name__})
            if isinstance(refused, MediaUnavailable):
                raise
            raise MediaUnavailable(refused) from refused

    def _document(self, relative: str) -> Path:
        try:
            key = check_key(relative)
        except ValueError:  # a key that would leave the store
            raise FileNotFoundError(relative) from None
        if key.startswith(DERIVED_PREFIXES):
            raise FileNotFoundError(relative)
        target = self.objects.local_path(key)
        if target is not None:
            if not target.is_file():
                raise FileNotFoundError(relative)
            return target
        # From a bucket: fetched each time (a report may be built again under its name), into
        # a file that replaces the previous one whole.
        fetched = self.root / FETCHED_DIR / key
        fetched.parent.mkdir(parents=True, exist_ok=True)
        with self.incoming_file() as partial:
            self.objects.get_file(key, partial)  # MediaMissing is a FileNotFoundError
            os.replace(partial, fetched)
        return fetched

    def _photo_copy(self, relative: str, size: str) -> Path:
        if _PHOTO_PATH.match(relative) is None or size not in SIZES:
            raise FileNotFoundError(relative)
        key = self._copy_key(relative, size)
        if not self.work.exists(key):
            source = self.objects.local_path(relative)
            if source is None:  # in a bucket: the original on this machine only meanwhile
                with self.incoming_file() as original:
                    self.objects.get_file(relative, original)  # MediaMissing if unknown
                    self._make_copy(relative, original, size)
            elif not source.is_file():
                raise MediaMissing(relative)
            else:
                self._make_copy(relative, source, size)
        return self.root / key

    def _voice_copy(self, stem: str, extension: str) -> Path:
        """The AAC copy of a kept voice note, made from the clean OGG once and kept."""
        key = f"{COPIES_DIR}/voice/{stem}.{extension}"
        if not self.work.exists(key):
            with self.incoming_file() as made:
                aac_copy(self.outgoing(f"{stem}.ogg"), made,
                         container=_AAC_CONTAINERS[extension])
                self.work.put_file(key, made)
        return self.root / key

    def _make_copy(self, relative: str, source: Path, size: str) -> None:
        key = self._copy_key(relative, size)
        if not self.work.exists(key):
            self.work.put(key, clean_jpeg(source, SIZES[size], self.max_image_pixels))

    @staticmethod
    def _copy_key(relative: str, size: str) -> str:
        found = _PHOTO_PATH.match(relative)
        assert found is not None
        digest = found.group(1)
        return f"{COPIES_DIR}/{size}/{digest[:2]}/{digest}.jpg"

    # -- documents we make (report workbooks) ---------------------------------------------------

    def document_target(self, relative: str) -> Path:
        """Where to write a document that will be kept under `relative` (`keep_document`)."""
        local = self.objects.local_path(check_key(relative))
        if local is not None:
            local.parent.mkdir(parents=True, exist_ok=True)
            return local
        folder = self.root / INCOMING_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}-{Path(relative).name}"

    def keep_document(self, relative: str, written: Path) -> None:
        """Keep the document written at `document_target(relative)` (upload it to a bucket)."""
        if self.objects.local_path(relative) == written:
            return
        try:
            self.objects.put_file(relative, written)
        finally:
            written.unlink(missing_ok=True)

    def forget_documents(self, prefix: str, *, written_before: datetime) -> int:
        """Delete the documents under `prefix` last written before `written_before` (the
        store's clock); returns how many."""
        removed = 0
        for info in list(self.objects.list(prefix)):
            if info.modified < written_before:
                self.objects.delete(info.key)
                removed += 1
        # Copies this machine fetched from a bucket to send: as old, they go too.
        fetched = self.root / FETCHED_DIR / prefix
        for path in fetched.rglob("*") if fetched.is_dir() else ():
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < written_before.timestamp():
                    path.unlink()
        return removed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
