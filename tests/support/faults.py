"""Real storage faults for tests: a directory made read-only for a while.

As an ordinary user, write permission is taken away (the disk answers EACCES). As root, who
ignores permissions, the directory is bind-mounted read-only over itself, so the kernel
answers EROFS exactly as for a disk remounted read-only; the mount is removed afterwards. A
test is skipped only where neither is possible (root without the right to mount)."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


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


def partial_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if ".part" in path.name]
