"""`dvk backup` then `dvk restore` into an empty database and media store, as an operator runs
them: the restored rows and objects match the manifest, and the product started on the
restored copy serves the same map. On SQLite, and on PostgreSQL under TEST_DATABASE_URL."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import inspect, text

from bot.web.demo import load_demo
from storage.backup import BackupError, backup, restore
from storage.db import Database
from storage.media import DERIVED_PREFIXES
from storage.media_objects import LocalObjects, ObjectStore
from storage.media_s3 import S3Objects
from tests.support.backend import ON_POSTGRES
from tests.support.product_process import dvk, running_product
from tests.support.s3 import Bucket, both_media_stores


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a SQLite file not made yet, or a new PostgreSQL one."""
    if not ON_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'restored.db'}"
        return
    from tests.conftest import _postgres_admin, _postgres_url

    name = f"dvk_restore_{uuid.uuid4().hex[:12]}"
    _postgres_admin(f"CREATE DATABASE {name}")
    try:
        yield _postgres_url(name)
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def source(settings, database_url: str, media_settings) -> dict[str, str]:
    """A database with demo practices (photos, recognitions, votes) and its media store."""
    assert await load_demo(settings, count=12, seed=7) == 12
    return {"DATABASE_URL": database_url, "MEDIA_DIR": str(settings.media.dir),
            **{key.upper(): value for key, value in media_settings.items()}}


def _kept_checksums(settings: dict[str, str]) -> dict[str, str]:
    """What the media store the settings name keeps, looked at from outside the product."""
    if not settings.get("MEDIA_STORE"):
        return _media_checksums(Path(settings["MEDIA_DIR"]))
    bucket, prefix = settings["MEDIA_STORE"].removeprefix("s3://").split("/", 1)
    client = Bucket(settings["MEDIA_S3_ENDPOINT_URL"], bucket).client()
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"].removeprefix(f"{prefix}/"): hashlib.sha256(
                client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()).hexdigest()
            for page in pages for item in page.get("Contents", ())}


async def _row_counts(url: str) -> dict[str, int]:
    """Rows per table, counted here (not by the code under test); {} for no database at all."""
    if url.startswith("sqlite") and not Path(url.split("///", 1)[1]).exists():
        return {}
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            return {name: (await connection.execute(text(f'SELECT count(*) FROM "{name}"')))
                    .scalar_one() for name in names}
    finally:
        await db.dispose()


def _media_checksums(folder: Path) -> dict[str, str]:
    """What a media folder keeps (not this machine's clean copies and uploads in progress)."""
    files = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*")
             if path.is_file()}
    return {key: hashlib.sha256(path.read_bytes()).hexdigest() for key, path in files.items()
            if not key.startswith(DERIVED_PREFIXES)}


def _listed_checksums(backup: Path) -> dict[str, str]:
    lines = (backup / "media.sha256").read_text().splitlines()
    return {name.removeprefix("media/"): digest
            for digest, name in (line.split("  ", 1) for line in lines)}


async def _map_of(base_url: str) -> tuple[dict, bytes]:
    """The map's GeoJSON and the first photo of the first practice, as a visitor gets them."""
    async with aiohttp.ClientSession(base_url) as http:
        async with http.get("/api/practices.geojson") as response:
            assert response.status == 200
            geojson = await response.json()
        code = geojson["features"][0]["properties"]["code"]
        async with http.get(f"/api/practices/{code}") as response:
            photo_url = (await response.json())["photos"][0]["thumb_url"]
        async with http.get(photo_url) as response:
            assert response.status == 200
            return geojson, await response.read()


@both_media_stores
async def test_a_restored_backup_serves_the_same_map(source, empty_database_url, tmp_path):
    backup_dir = tmp_path / "backups" / "2026-12-04"
    taken = dvk("backup", "--to", str(backup_dir), settings=source, cwd=tmp_path)
    assert taken.returncode == 0, taken.stderr
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"]["engine"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["database"]["tables"]["practice"] == 12
    assert manifest["database"]["tables"] == await _row_counts(source["DATABASE_URL"])
    original_media = _kept_checksums(source)
    assert manifest["media"]["objects"] == len(original_media) > 0

    restored = {"DATABASE_URL": empty_database_url, "MEDIA_DIR": str(tmp_path / "media2")}
    if source.get("MEDIA_STORE"):  # into another, empty bucket
        other = Bucket(source["MEDIA_S3_ENDPOINT_URL"], f"dvk-restored-{uuid.uuid4().hex[:8]}")
        other.client().create_bucket(Bucket=other.name)
        restored.update(other.env)
    put_back = dvk("restore", "--from", str(backup_dir), settings=restored, cwd=tmp_path)
    assert put_back.returncode == 0, put_back.stderr
    assert "row counts and checksums match" in put_back.stdout

    assert await _row_counts(empty_database_url) == manifest["database"]["tables"]
    assert _kept_checksums(restored) == _listed_checksums(backup_dir) == original_media

    async with running_product(source, tmp_path) as original_url:
        original_map, original_photo = await _map_of(original_url)
    async with running_product(restored, tmp_path) as restored_url:
        restored_map, restored_photo = await _map_of(restored_url)
    assert original_map["features"]  # the approved and recognised demo practices
    assert restored_map == original_map
    assert restored_photo == original_photo


async def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    backup_dir = tmp_path / "backup"
    await backup(database_url=source["DATABASE_URL"], objects=_local(source), to=backup_dir)
    before = await _row_counts(source["DATABASE_URL"])
    target = {**source, "MEDIA_DIR": str(tmp_path / "empty-media")}

    refused = dvk("restore", "--from", str(backup_dir), settings=target, cwd=tmp_path)

    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0  # one line
    assert "not empty" in refused.stderr and "restore needs an empty database" in refused.stderr
    assert await _row_counts(source["DATABASE_URL"]) == before
    assert not (tmp_path / "empty-media").exists()


@both_media_stores
async def test_restore_refuses_a_media_store_that_is_not_empty(
        source, empty_database_url, tmp_path):
    backup_dir = tmp_path / "backup"
    await backup(database_url=source["DATABASE_URL"], objects=_local(source), to=backup_dir)

    with pytest.raises(BackupError, match="the media store .* is not empty; restore needs an "
                                          "empty store"):
        await restore(database_url=empty_database_url, objects=_local(source),
                      source=backup_dir)
    assert await _row_counts(empty_database_url) == {}


async def test_a_damaged_backup_is_refused_before_anything_is_written(
        source, empty_database_url, tmp_path):
    backup_dir = tmp_path / "backup"
    await backup(database_url=source["DATABASE_URL"], objects=_local(source), to=backup_dir)
    photo = next((backup_dir / "media").rglob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:-10])  # a truncated copy
    key = photo.relative_to(backup_dir / "media").as_posix()

    with pytest.raises(BackupError, match=f"media/{key} does not match its checksum"):
        await restore(database_url=empty_database_url,
                      objects=LocalObjects(tmp_path / "media2"), source=backup_dir)
    assert await _row_counts(empty_database_url) == {}
    assert not (tmp_path / "media2").exists()


async def test_backup_wants_a_folder_of_its_own(source, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "something").write_text("kept")

    with pytest.raises(BackupError, match="is not empty; give each backup a folder"):
        await backup(database_url=source["DATABASE_URL"], objects=_local(source), to=used)
    assert sorted(p.name for p in used.iterdir()) == ["something"]


def _local(settings: dict[str, str]) -> ObjectStore:
    """The objects of the media store the settings name (a folder or a bucket)."""
    if not settings.get("MEDIA_STORE"):
        return LocalObjects(Path(settings["MEDIA_DIR"]))
    return S3Objects.connect(settings["MEDIA_STORE"],
                             endpoint_url=settings["MEDIA_S3_ENDPOINT_URL"],
                             region=settings["MEDIA_S3_REGION"],
                             access_key_id=settings["MEDIA_S3_ACCESS_KEY_ID"],
                             secret_access_key=settings["MEDIA_S3_SECRET_ACCESS_KEY"])
