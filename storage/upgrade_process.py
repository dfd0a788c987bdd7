"""Bring the database to the newest schema from a short-lived child process.

A worker lives for months; migrating a new database (Alembic's batch operations on SQLite,
reflection, seeding 3,355 units) leaves about 20 MB of freed-but-fragmented memory, plus Alembic
itself, in the process that ran it. A worker therefore migrates through `python -m
storage.migrate` and keeps none of it. The database URL travels on the child's stdin, never on
its command line, where `ps` would show a password.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

# The folder holding the `storage` package, so the child finds it however the worker was started.
_SOURCE_ROOT = str(Path(__file__).resolve().parent.parent)
UNAVAILABLE_EXIT = 3
"""The child's status when the database cannot be opened; its stdout then holds the reason."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written at start (a path that is no directory, a
    read-only disk, a server that refuses): a setting to fix, said in one line."""


async def upgrade_in_child(database_url: str) -> None:
    """The same as `storage.migrate.upgrade`, run by a child process that then exits."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storage.migrate", env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await child.communicate(database_url.encode())
    if child.returncode == UNAVAILABLE_EXIT:
        raise DatabaseUnavailable(out.decode(errors="replace").strip())
    if child.returncode != 0:
        raise RuntimeError("the database migration failed:\n"
                           + err.decode(errors="replace")[-4000:])
