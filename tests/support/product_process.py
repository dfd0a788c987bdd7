"""The product as an operator runs it: `dvk …` commands and `python -m bot`, each a process of
its own with settings in its environment (and no `.env`: they run in a test folder)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

_ADDRESS = re.compile(r"web server: map (http://\S+?/) ")


def product_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The environment without any channel's token, plus `settings`. A typed answer is
    answered at once, as in tests/conftest.py (tests act faster than people; split messages
    are joined in tests/test_split_messages_e2e.py)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "ZALO_", "DATABASE_URL", "MEDIA_", "WEB_"))}
    env.update({"WEB_HOST": "127.0.0.1", "WEB_PORT": "0", "LOG_FORMAT": "json",
                "TEXT_JOIN_SECONDS": "0"}, **settings)
    return env


def dvk(*args: str, settings: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run one `dvk` command to its end."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd,
                          env=product_env(settings), capture_output=True, text=True,
                          timeout=120, check=False)


@contextlib.asynccontextmanager
async def running_product(settings: Mapping[str, str], cwd: Path) -> AsyncIterator[str]:
    """Start `python -m bot`, yield its web address once it logs it, stop it with SIGTERM."""
    async with running_product_process(settings, cwd) as (url, _pid):
        yield url


@contextlib.asynccontextmanager
async def running_product_process(settings: Mapping[str, str],
                                  cwd: Path) -> AsyncIterator[tuple[str, int]]:
    """`running_product`, with the process id too (to read its memory in /proc)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env=product_env(settings),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    seen: list[str] = []
    drain: asyncio.Task | None = None
    try:
        while True:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            if not line:
                raise AssertionError("the product stopped at start:\n" + "".join(seen[-20:]))
            seen.append(line)
            found = _ADDRESS.search(line)
            if found:
                break
        # Keep reading its logs, so a full pipe never blocks it.
        drain = asyncio.create_task(process.stderr.read())
        yield found.group(1), process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
        if drain is not None:
            await drain
