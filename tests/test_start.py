"""Starting the product as the README says: `.env.example` copied as it is to `.env`, or a
`.env` holding only `TELEGRAM_BOT_TOKEN=`, starts the real process (`python -m bot`, `dvk serve`)
from an empty directory; it answers /healthz, stores its database there, and stops cleanly on
SIGTERM. DATABASE_URL in the plain forms (sqlite:///…, postgresql://…, postgres://…) runs the
app factory on that database."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.app import App
from settings import Settings
from tests.support.backend import ON_POSTGRES
from tests.test_settings import ENV_EXAMPLE, clean_environment

DVK = Path(sys.executable).with_name("dvk")
START_TIMEOUT = 90


@asynccontextmanager
async def running(command: Sequence[str], cwd: Path) -> AsyncIterator[tuple[str, list[dict]]]:
    """The product started by `command` in `cwd` with only that directory's `.env` (the
    environment adds WEB_PORT=0, a free port, so a running 8080 does not matter); yields its
    web address and the JSON log lines read so far; SIGTERM at the end, exit status 0."""
    env = clean_environment() | {"WEB_PORT": "0"}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    lines: list[dict] = []
    try:
        url = None
        async with asyncio.timeout(START_TIMEOUT):
            while url is None:
                raw = await process.stderr.readline()
                assert raw, f"the product stopped: {lines[-3:]}"
                lines.append(json.loads(raw))  # stderr is no terminal: JSON lines
                if lines[-1]["message"] == "running; press Ctrl-C to stop":
                    url = next(line["url"] for line in lines if "url" in line)
        yield url, lines
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), START_TIMEOUT)
        status = await asyncio.wait_for(process.wait(), START_TIMEOUT)
    assert status == 0, rest.decode(errors="replace")[-2000:]


async def health(url: str) -> tuple[int, dict]:
    """/healthz's status and body; the worker's name (host:pid) is checked and left out."""
    async with aiohttp.ClientSession() as http, http.get(url + "healthz") as response:
        body = await response.json()
    assert isinstance(body.pop("worker"), str)
    return response.status, body


async def test_env_example_copied_as_it_is_starts_the_product(tmp_path: Path) -> None:
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    async with running([sys.executable, "-m", "bot"], tmp_path) as (url, lines):
        assert await health(url) == (200, {"status": "ok", "database": "ok", "media": "ok",
                                           "scheduler": "running", "leader": True,
                                           "channels": {"web": "running"}})
        assert any("TELEGRAM_BOT_TOKEN is not set" in line["message"] for line in lines)
        assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")]
    assert (tmp_path / "data" / "danvankheo.db").stat().st_size > 0  # DATABASE_URL of .env


async def test_an_empty_telegram_token_alone_starts_without_telegram(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=\n", encoding="utf-8")
    async with running([str(DVK), "serve"], tmp_path) as (url, lines):
        status, body = await health(url)
        assert status == 200 and body["status"] == "ok"
        warning = next(line for line in lines if "TELEGRAM_BOT_TOKEN" in line["message"])
        assert warning["level"] == "WARNING" and "Telegram is off" in warning["message"]
        assert not any("Telegram connected" in line["message"] for line in lines)
    assert (tmp_path / "data" / "danvankheo.db").exists()


async def start_and_check(settings: Settings, clock) -> str:  # noqa: ANN001
    """Start the app factory on `settings`, ask /healthz and the public map (both read the
    database, the map its migrated tables); the driver it chose."""
    app = App(settings, clock=clock)
    await app.start()
    try:
        assert await health(app.web.url) == (200, {"status": "ok", "database": "ok",
                                                   "media": "ok", "scheduler": "running",
                                                   "leader": True,
                                                   "channels": {"web": "running"}})
        async with aiohttp.ClientSession() as http, http.get(
                app.web.url + "api/practices.geojson") as response:
            assert response.status == 200
            assert (await response.json())["type"] == "FeatureCollection"
        return app.db.engine.url.drivername
    finally:
        await app.stop()


async def test_a_sqlite_url_without_a_driver_runs_on_a_new_file(settings, clock,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "dvk.db"
    configured = settings.updated(database_url=f"sqlite:///{path}")
    driver = await start_and_check(configured, clock)
    assert driver == "sqlite+aiosqlite" and path.stat().st_size > 0


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (make test-postgres)")
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
async def test_a_postgresql_url_as_hosting_services_give_it_runs_on_postgresql(
        settings, clock, database_url: str, scheme: str) -> None:
    plain = make_url(database_url).set(drivername=scheme).render_as_string(hide_password=False)
    plain += "?sslmode=disable"  # libpq's word, as hosting services write it
    assert plain.startswith(f"{scheme}://")
    configured = settings.updated(database_url=plain)
    assert await start_and_check(configured, clock) == "postgresql+asyncpg"
