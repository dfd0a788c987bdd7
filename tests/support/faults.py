"""Real storage faults for tests: a directory made read-only or full for a while; a database
that refuses writes for a while.

As an ordinary user, write permission is taken away (the disk answers EACCES). As root, who
ignores permissions, the directory is bind-mounted read-only over itself, so the kernel
answers EROFS exactly as for a disk remounted read-only; the mount is removed afterwards. A
test is skipped only where neither is possible (root without the right to mount)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from storage.db import Database
from tests.support.backend import ON_POSTGRES


@contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """Within the block, nothing can be written under `directory`; yields the reason /healthz
    is expected to give ("read_only" for a read-only mount, "not_writable" for permissions)."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [directory, *directory.rglob("*")]
                 if path.is_dir()}
        for path, mode in modes.items():
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield "not_writable"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    target = str(directory)
    mounted = subprocess.run(["mount", "--bind", target, target], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root without the right to mount: {mounted.stderr!r}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", target], check=True,
                       capture_output=True)
        yield "read_only"
    finally:
        subprocess.run(["umount", target], check=True, capture_output=True)


FILLER = ".filler"
"""The file that takes the last byte of a full disk (`full_disk`)."""


@contextmanager
def full_disk(directory: Path, *, size: str = "256k") -> Iterator[None]:
    """Within the block `directory` is a disk with no room left: a small tmpfs is mounted over
    it and filled to the last byte (`FILLER`), so a write there fails with ENOSPC exactly as
    on a full disk, while files can still be created empty. Afterwards the mount is removed and
    the directory as it was shows again. Needs root with the right to mount; skipped without."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("filling a disk takes a tmpfs mount, which needs root")
    target = str(directory)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=755",
                              "dvk-full-disk", target], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root without the right to mount: {mounted.stderr!r}")
    try:
        handle = os.open(directory / FILLER, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while True:
                os.write(handle, bytes(4096))
        except OSError as full:
            assert full.errno == errno.ENOSPC, full
        finally:
            os.close(handle)
        yield
    finally:
        subprocess.run(["umount", target], check=True, capture_output=True)


def partial_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if ".part" in path.name]


@contextmanager
def database_refusing_writes(db: Database) -> Iterator[str]:
    """Within the block the database answers reads and refuses every write; yields the reason
    /healthz is expected to give ("read_only").

    SQLite: each connection the product takes is set `PRAGMA query_only` (the answer a
    read-only database file gives). PostgreSQL: the database's `default_transaction_read_only`
    is turned on and its open connections are cut, as when a server fails over to a read-only
    standby: the pool reconnects, and the server refuses every write with
    read_only_sql_transaction (25006). Both are undone after."""
    if ON_POSTGRES:
        name = make_url(db.url).database
        _postgres_read_only(name, True)
        try:
            yield "read_only"
        finally:
            _postgres_read_only(name, False)
        return
    refusing = {"on": True}

    def query_only(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA query_only={int(refusing['on'])}")
        cursor.close()

    # Stays for the engine's life: once the block ends it turns query_only off again on each
    # connection as it is taken.
    event.listen(db.engine.sync_engine, "checkout", query_only)
    try:
        yield "read_only"
    finally:
        refusing["on"] = False


def _postgres_read_only(database: str | None, on: bool) -> None:
    from tests.conftest import _postgres_admin

    assert database and database.isidentifier()
    setting = ("SET default_transaction_read_only = on" if on
               else "RESET default_transaction_read_only")
    _postgres_admin(f"ALTER DATABASE {database} {setting}",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{database}' AND pid <> pg_backend_pid()")
