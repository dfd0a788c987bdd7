"""Which local process holds a TCP connection: a fake server sees a request's port, and a test
with several worker processes asks which worker made it (Linux /proc, no extra library)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def pid_with_port(port: int, pids: Iterable[int]) -> int | None:
    """The process among `pids` whose open socket has local port `port`, if one has."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:  # closed meanwhile
                continue
    return None
