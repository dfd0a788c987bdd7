"""SQLite serves one process: it leads at once, says so on /healthz, and a second process
started on the same file stops with one clear line and exit status 2."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from storage.leader import AlreadyRunning, SoleProcessLock
from tests.support.backend import ON_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="about SQLite")


async def healthz(app: App) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(
            f"{app.web.url}healthz") as response:
        return response.status, await response.json()


async def test_the_one_process_leads_and_healthz_names_it(settings, clock):
    app = App(settings.updated(worker_id="worker-a"), clock=clock)
    await app.start()
    try:
        assert await healthz(app) == (200, {"status": "ok", "database": "ok", "media": "ok",
                                            "scheduler": "running", "leader": True,
                                            "worker": "worker-a",
                                            "channels": {"web": "running"}})
        assert app.outbox.epoch == 1  # the first term of this database
        second = App(settings, clock=clock)
        with pytest.raises(AlreadyRunning, match=r"test\.db"):
            await second.start()
    finally:
        await app.stop()
    again = App(settings, clock=clock)  # the lock went with the stop
    await again.start()
    try:
        assert again.outbox.epoch == 2
    finally:
        await again.stop()


async def test_a_second_process_on_the_same_file_stops_with_one_line_and_status_2(
        settings, tmp_path):
    held = SoleProcessLock(settings.database.url, worker="first")
    held.lock_file()  # what a running first process holds (flock: per open file)
    try:
        env = {**os.environ, "DATABASE_URL": settings.database.url,
               "MEDIA_DIR": str(tmp_path / "media"), "WEB_PORT": "0",
               "TELEGRAM_BOT_TOKEN": "", "PYTHONPATH": str(ROOT)}
        env.pop("TELEGRAM_BOT_TOKEN")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await held.release()
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == [f"Another bot process is already running on the SQLite database "
                     f"{Path(settings.database.url.split('///', 1)[1]).resolve()}: SQLite "
                     "serves one process (use PostgreSQL for several workers)."]
