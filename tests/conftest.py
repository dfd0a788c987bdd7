"""Shared fixtures: a migrated SQLite database per test (copied from one migrated template),
an injected clock, and the engine with its real services."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import build_services
from bot.settings import Settings
from handlers.clock import ManualClock
from handlers.engine import Engine
from handlers.events import Sender
from storage.db import Database
from storage.migrate import upgrade
from tests.support.engine_chat import EngineChat


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    target = tmp_path / "test.db"
    shutil.copy(migrated_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        media_dir=tmp_path / "media",
        telegram_album_wait_seconds=0.3,  # the gap between album items under load
        web_port=0,  # App.start serves the web side too: any free port, never a running 8080
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
