"""The manifest of a backup: what it holds and how to check it, written last, so a folder with
a manifest is a finished backup.

    DIR/manifest.json     this
    DIR/database.sqlite   SQLite's online backup of the database (or database.pgdump:
                          `pg_dump --format=custom`)
    DIR/media.sha256      one line per object, `sha256sum -c media.sha256` checks them
    DIR/media/<key>       the media store's objects (photos, proofs, report workbooks)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = "dvk-backup/1"
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
MEDIA_CHECKSUMS = "media.sha256"


@dataclass
class DatabasePart:
    engine: str
    """"sqlite" or "postgresql"."""
    file: str
    sha256: str
    bytes: int
    alembic_revision: str | None
    tables: dict[str, int]
    """Rows per table, counted in the same snapshot the copy was taken from."""


@dataclass
class MediaPart:
    location: str
    objects: int
    bytes: int
    checksums_sha256: str
    """SHA-256 of media.sha256, which holds one checksum per object."""


@dataclass
class Manifest:
    created_at: str
    database: DatabasePart
    media: MediaPart
    format: str = FORMAT
    skipped: list[str] = field(default_factory=list)
    """Media keys listed but gone before they were copied (a report workbook cleaned up)."""

    def write(self, folder: Path) -> None:
        partial = folder / f"{MANIFEST}.part"
        partial.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")
        partial.replace(folder / MANIFEST)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        raw = json.loads((folder / MANIFEST).read_text())
        if raw.get("format") != FORMAT:
            raise ValueError(f"unknown backup format {raw.get('format')!r}")
        return cls(created_at=raw["created_at"], database=DatabasePart(**raw["database"]),
                   media=MediaPart(**raw["media"]), skipped=raw.get("skipped", []))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
