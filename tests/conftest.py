"""Shared fixtures: a migrated database per test, made from one migrated template, an injected
clock, and the engine with its real services.

The database is SQLite (a copy of the template file) unless TEST_DATABASE_URL names a
PostgreSQL server (`postgresql+asyncpg://user@host:port/db`, any database the user may create
databases from): then each test gets `CREATE DATABASE … TEMPLATE` of a migrated one, dropped
after the test. `make test-postgres` starts a throwaway server for that (.ci/postgres)."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import build_services
from handlers.clock import ManualClock
from handlers.engine import Engine
from handlers.events import Sender
from settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from tests.support.backend import ON_POSTGRES, POSTGRES_URL
from tests.support.engine_chat import EngineChat
from tests.support.s3 import (  # noqa: F401  (fixtures)
    media_bucket,
    s3_bucket,
    s3_endpoint,
    store_objects,
)


def _postgres_admin(*statements: str) -> str:
    """Run statements (CREATE/DROP DATABASE: outside a transaction) on the database the URL
    names, on a thread of its own so no test's event loop is touched; returns the server's
    version number."""
    import asyncpg

    url = make_url(POSTGRES_URL)
    version: list[str] = []

    async def run() -> None:
        connection = await asyncpg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password,
            database=url.database or "postgres")
        try:
            for statement in statements:
                await connection.execute(statement)
            version.append(await connection.fetchval("SHOW server_version_num"))
        finally:
            await connection.close()

    failure: list[Exception] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except Exception as error:  # re-raised below, in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return version[0]


def _postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """SQLite: the migrated file. PostgreSQL: how to create a copy of a migrated database."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        yield path
        return
    name = f"dvk_template_{uuid.uuid4().hex[:12]}"
    version = int(_postgres_admin(f"CREATE DATABASE {name}"))
    try:
        upgrade(_postgres_url(name))
        # For a small database, copying its files beats PostgreSQL 15's default (WAL_LOG).
        yield f"TEMPLATE {name}" + (" STRATEGY FILE_COPY" if version >= 150000 else "")
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path | str) -> Iterator[str]:
    if not ON_POSTGRES:
        target = tmp_path / "test.db"
        shutil.copy(migrated_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    name = f"dvk_test_{uuid.uuid4().hex[:12]}"
    _postgres_admin(f"CREATE DATABASE {name} {migrated_template}")
    try:
        yield _postgres_url(name)
    finally:
        # FORCE: a test that failed half-way may have left connections open.
        _postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def media_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """The media store's settings: MEDIA_DIR alone, or a bucket on a local S3 server for tests
    marked `@both_media_stores` (tests/support/s3.py)."""
    if getattr(request, "param", "local") == "local":
        return {}
    return request.getfixturevalue("s3_bucket").settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str, media_settings: dict[str, str]) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        web_port=0,  # App.start serves the web side too: any free port, never a running 8080
        # Tests act faster than people: the per-account limits are tested on their own
        # (tests/telegram/test_flood_e2e.py).
        messages_per_minute=10_000,
        # Nor do they paste long texts: split messages are joined in tests of their own
        # (tests/test_split_messages_e2e.py), the rest are answered at once.
        text_join_seconds=0,
        reply_retry_seconds=0,  # a reply that failed for a passing reason goes again at once
        **media_settings,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def services(settings: Settings, clock: ManualClock):
    return build_services(settings, clock)


@pytest.fixture
def engine(db: Database, services) -> Engine:
    return Engine(db, services)


@pytest.fixture
def make_chat(engine: Engine, services):
    def make(user_id: int = 1001, name: str = "Lan", channel: str = "telegram") -> EngineChat:
        sender = Sender(channel=channel, external_id=str(user_id), chat_id=str(user_id),
                        display_name=name)
        return EngineChat(engine, services.media, sender)

    return make


@pytest.fixture(autouse=True)
def _quiet_http_client_logs():
    """httpx logs request URLs, which hold the bot token; production silences it too."""
    import logging

    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
async def _official_actions_are_audited(request: pytest.FixtureRequest):
    """After each officials, abuse or Telegram end-to-end test: every official action it stored has
    its audit row (tests/support/audit_check.py)."""
    folder = request.node.path.parent.name
    if (folder not in ("officials", "telegram", "abuse")
            or "database_url" not in request.fixturenames):
        yield
        return
    url = request.getfixturevalue("database_url")
    yield
    from tests.support.audit_check import missing_audit_rows

    database = Database(url)
    try:
        problems = await missing_audit_rows(database)
    finally:
        await database.dispose()
    assert not problems, problems
