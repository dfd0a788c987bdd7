"""Backups that can be restored: the database (a consistent copy) and the media store, with a
manifest of row counts and checksums (storage/backup/manifest.py says what a backup folder
holds). A restore checks the whole backup before it writes anything, writes only into an empty
database and an empty media store, and counts the rows again afterwards.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from storage.backup import database, media_copy
from storage.backup.database import BackupError
from storage.backup.manifest import MANIFEST, DatabasePart, Manifest, MediaPart, file_sha256
from storage.media_objects import ObjectStore

__all__ = ["BackupError", "Manifest", "backup", "restore"]


async def backup(*, database_url: str, objects: ObjectStore, to: Path) -> Manifest:
    """Copy the database, then the media, into the folder `to` (new or empty)."""
    to = Path(to)
    if to.exists() and any(to.iterdir()):
        raise BackupError(f"{to} is not empty; give each backup a folder of its own")
    to.mkdir(parents=True, exist_ok=True)
    snapshot = await database.take(database_url, to)
    dump = to / snapshot.file
    media = await asyncio.to_thread(media_copy.copy_out, objects, to)
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database=DatabasePart(engine=snapshot.engine, file=snapshot.file,
                              sha256=await asyncio.to_thread(file_sha256, dump),
                              bytes=dump.stat().st_size,
                              alembic_revision=snapshot.alembic_revision,
                              tables=snapshot.tables),
        media=MediaPart(location=objects.location, objects=media.objects, bytes=media.bytes,
                        checksums_sha256=media.checksums_sha256),
        skipped=media.skipped)
    manifest.write(to)
    return manifest


async def restore(*, database_url: str, objects: ObjectStore, source: Path) -> Manifest:
    """Put a backup back into an empty database and an empty media store."""
    source = Path(source)
    if not (source / MANIFEST).is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a finished backup")
    try:
        manifest = Manifest.read(source)
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source / MANIFEST} is unreadable: {error}") from None
    await database.check_empty(database_url)
    await asyncio.to_thread(media_copy.check_empty, objects)
    dump = source / manifest.database.file
    if not dump.is_file() or await asyncio.to_thread(file_sha256, dump) \
            != manifest.database.sha256:
        raise BackupError(f"{dump.name} is missing or does not match its checksum")
    checksums = await asyncio.to_thread(media_copy.read_checksums, source,
                                        manifest.media.checksums_sha256)
    await asyncio.to_thread(media_copy.verify, source, checksums)
    counts = await database.put_back(database_url, manifest.database.engine, dump)
    if counts != manifest.database.tables:
        differing = sorted(name for name in counts.keys() | manifest.database.tables.keys()
                           if counts.get(name) != manifest.database.tables.get(name))
        raise BackupError(f"restored row counts differ from the manifest: {', '.join(differing)}")
    await asyncio.to_thread(media_copy.copy_in, objects, source, checksums)
    return manifest
