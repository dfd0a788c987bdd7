"""The media store's objects to a backup folder and back, with one checksum per object.

Photos and proofs are named by their content and never change; the database is copied first,
so every object its rows name is already in the store when the media are listed. Objects made
from others (re-encoded photos) are left out: they are made again on demand.
Blocking code (disk, network): run it in a thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from storage.backup.database import BackupError
from storage.backup.manifest import MEDIA_CHECKSUMS, MEDIA_DIR, file_sha256
from storage.media import DERIVED_PREFIXES
from storage.media_objects import MediaMissing, ObjectStore, check_key


@dataclass(frozen=True)
class MediaCopy:
    objects: int
    bytes: int
    checksums_sha256: str
    skipped: list[str]


def kept_keys(objects: ObjectStore) -> list[str]:
    """The keys a backup holds: everything but derived copies."""
    return sorted(info.key for info in objects.list()
                  if not info.key.startswith(DERIVED_PREFIXES))


def copy_out(objects: ObjectStore, folder: Path) -> MediaCopy:
    lines: list[str] = []
    skipped: list[str] = []
    total = 0
    for key in kept_keys(objects):
        target = folder / MEDIA_DIR / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            objects.get_file(key, target)
        except MediaMissing:  # removed since it was listed (housekeeping)
            skipped.append(key)
            continue
        total += target.stat().st_size
        lines.append(f"{file_sha256(target)}  {MEDIA_DIR}/{key}\n")
    listing = "".join(lines).encode()
    (folder / MEDIA_CHECKSUMS).write_bytes(listing)
    return MediaCopy(len(lines), total, hashlib.sha256(listing).hexdigest(), skipped)


def read_checksums(folder: Path, expected_sha256: str) -> dict[str, str]:
    """key -> sha256 from media.sha256, once that file matches the manifest."""
    listing = (folder / MEDIA_CHECKSUMS).read_bytes()
    if hashlib.sha256(listing).hexdigest() != expected_sha256:
        raise BackupError(f"{MEDIA_CHECKSUMS} does not match the manifest")
    checksums = {}
    for line in listing.decode().splitlines():
        digest, _, name = line.partition("  ")
        checksums[check_key(name.removeprefix(f"{MEDIA_DIR}/"))] = digest
    return checksums


def verify(folder: Path, checksums: dict[str, str]) -> None:
    """Every object of the backup is there and unchanged (before anything is written)."""
    for key, digest in checksums.items():
        path = folder / MEDIA_DIR / key
        if not path.is_file():
            raise BackupError(f"{MEDIA_DIR}/{key} is missing from the backup")
        if file_sha256(path) != digest:
            raise BackupError(f"{MEDIA_DIR}/{key} does not match its checksum")


def check_empty(objects: ObjectStore) -> None:
    if kept_keys(objects):
        raise BackupError(f"the media store {objects.location} is not empty; restore needs "
                          "an empty store")


def copy_in(objects: ObjectStore, folder: Path, checksums: dict[str, str]) -> int:
    for key in checksums:
        objects.put_file(key, folder / MEDIA_DIR / key)
    return len(checksums)
