"""Where the media store's bytes live: a local directory, or an S3-compatible bucket
(storage/media_s3.py) so that workers on different machines see the same photos, proofs and
report workbooks. `MediaStore` (storage/media.py) decides what is kept and under which key;
an `ObjectStore` only keeps bytes under keys.

Keys are relative paths with "/" between parts (`ab/ab12….jpg`, `reports/….xlsx`). Every
method blocks (disk or network): async code calls them through `asyncio.to_thread`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

PARTIAL_SUFFIX = ".part"
"""A file being written; never listed, never served."""


class MediaMissing(FileNotFoundError):
    """No object under that key."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime
    """When it was last written (UTC, the store's own clock)."""


class ObjectStore(Protocol):
    location: str
    """A path or `s3://bucket/prefix`, for logs and messages (never holds a secret)."""

    def put(self, key: str, data: bytes) -> None: ...

    def put_file(self, key: str, source: Path) -> None: ...

    def get(self, key: str) -> bytes: ...

    def get_file(self, key: str, target: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def local_path(self, key: str) -> Path | None:
        """The object's own file when the store is a local directory, else None."""
        ...


def check_key(key: str) -> str:
    """A key that stays inside the store: relative, no `..`, no empty or hidden tricks."""
    parts = key.split("/")
    if (not key or "\\" in key or "\0" in key
            or any(part in ("", ".", "..") for part in parts)
            or key.endswith(PARTIAL_SUFFIX)):
        raise ValueError(f"not a media key: {key!r}")
    return key


class LocalObjects:
    """A directory on this machine: today's behaviour, and one machine's choice."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.location = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        self._write(key, lambda partial: partial.write_bytes(data))

    def put_file(self, key: str, source: Path) -> None:
        self._write(key, lambda partial: shutil.copyfile(source, partial))

    def _write(self, key: str, fill: Callable[[Path], object]) -> None:
        """Through a partial file renamed into place: readers see the whole file or none. When
        the disk refuses (full, read-only), the partial file is removed before the error goes
        on, so nothing half-written is left behind."""
        target = self._path(key)
        partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fill(partial)
            os.replace(partial, target)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise MediaMissing(key) from None

    def get_file(self, key: str, target: Path) -> None:
        try:
            shutil.copyfile(self._path(key), target)
        except (FileNotFoundError, IsADirectoryError):
            raise MediaMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        start = self.root / prefix if prefix else self.root
        if not start.is_dir():
            return
        for folder, _dirs, files in os.walk(start):
            for name in files:
                if name.endswith(PARTIAL_SUFFIX):
                    continue
                path = Path(folder) / name
                try:
                    stat = path.stat()
                except FileNotFoundError:  # removed meanwhile
                    continue
                yield ObjectInfo(path.relative_to(self.root).as_posix(), stat.st_size,
                                 datetime.fromtimestamp(stat.st_mtime, UTC))

    def local_path(self, key: str) -> Path | None:
        return self._path(key)
