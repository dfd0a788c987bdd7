"""Two workers on one PostgreSQL, in one test process: one leads, the other serves the web on
standby and takes over when the leader stops or loses its lock session."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import App
from tests.support.backend import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (PostgreSQL)")
LEASE = 3.0
ROOT = Path(__file__).resolve().parents[2]


async def healthz(app: App) -> dict:
    async with aiohttp.ClientSession() as session, session.get(
            f"{app.web.url}healthz") as response:
        assert response.status == 200
        return await response.json()


async def until_leads(app: App, deadline: float) -> float:
    """Seconds until the worker leads (woken by its leadership, not polled), and then says so
    on /healthz; fails at the deadline."""
    started = time.monotonic()
    try:
        await asyncio.wait_for(app.leadership.wait_until(leading=True), deadline)
    except TimeoutError:
        raise AssertionError("no new leader in time") from None
    assert (await healthz(app))["leader"] is True
    return time.monotonic() - started


async def test_one_leads_the_other_takes_over_when_it_stops_or_loses_its_session(
        settings, clock):
    def worker(name: str) -> App:
        return App(settings.updated(worker_id=name,
                                    leader_lease_seconds=LEASE), clock=clock)

    first, second = worker("w1"), worker("w2")
    await first.start()
    await second.start()
    try:
        assert await healthz(first) == {"status": "ok", "database": "ok", "media": "ok",
                                        "scheduler": "running", "leader": True, "worker": "w1",
                                        "channels": {"web": "running"}}
        assert await healthz(second) == {"status": "ok", "database": "ok", "media": "ok",
                                         "scheduler": "standby", "leader": False, "worker": "w2",
                                         "channels": {"web": "running"}}
        await first.stop()
        assert await until_leads(second, LEASE + 2) <= LEASE
        assert second.scheduler.running and second.outbox.epoch == 2

        third = worker("w3")
        await third.start()
        try:
            assert (await healthz(third))["leader"] is False
            # The leader's lock session is cut by the server (a network fault): it steps
            # down at its next check, and the standby worker leads, with a newer term.
            url = make_url(settings.database.url)
            admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username,
                                          database=url.database)
            try:
                await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = 'dvk-leader w2'")
            finally:
                await admin.close()
            assert await until_leads(third, 2 * LEASE + 2) <= 2 * LEASE
            assert third.outbox.epoch == 3
            # the old leader steps down at its next check (the lock went with its session)
            await asyncio.wait_for(second.leadership.wait_until(leading=False), LEASE + 2)
            assert (await healthz(second))["leader"] is False
            assert (await healthz(second))["scheduler"] == "standby"
        finally:
            await third.stop()
    finally:
        await second.stop()


async def test_workers_starting_together_on_a_new_database_migrate_it_once(database_url):
    """Each worker applies the migrations at start: on a new database several at once must
    neither fail nor apply one twice (an advisory lock in storage/migrations/env.py)."""
    url = make_url(database_url)
    admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username,
                                  database=url.database)
    name = f"{url.database}_fresh"
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        fresh = url.set(database=name).render_as_string(hide_password=False)
        # separate processes, as workers are (Alembic's context is one per process)
        workers = [await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import sys; from storage.migrate import upgrade; "
            "upgrade(sys.argv[1])", fresh, cwd=ROOT, stderr=asyncio.subprocess.PIPE)
            for _ in range(3)]
        for worker in workers:
            _, stderr = await asyncio.wait_for(worker.communicate(), 120)
            assert worker.returncode == 0, stderr.decode()[-2000:]
        connection = await asyncpg.connect(host=url.host, port=url.port, user=url.username,
                                           database=name)
        try:
            heads = await connection.fetch("SELECT version_num FROM alembic_version")
        finally:
            await connection.close()
        assert [row["version_num"] for row in heads] == [heads_of_the_code()]
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def heads_of_the_code() -> str:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    [head] = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return head
