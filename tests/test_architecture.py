"""The seams DESIGN.md promises, checked on the code itself: flows (handlers/) and storage know no
channel, channel adapters see flows only through the neutral events/replies API, and one set
of flow definitions serves Telegram, Zalo Bot and the web chat."""

from __future__ import annotations

import ast
import dataclasses
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from bot.telegram.channel import TelegramChannel
from bot.web.keys import SETTINGS
from bot.webchat.channel import WebChatChannel
from bot.webchat.chat import CHAT
from bot.zalo_bot.channel import ZaloChannel
from bot.zalo_oa.channel import ZaloOAChannel
from handlers.registry import build_features
from settings import TelegramSettings, WebChatSettings, ZaloBotSettings, ZaloOASettings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.zalo_bot.harness import running_app

ROOT = Path(__file__).resolve().parent.parent
CHANNEL_CODE = ("bot", "telegram", "aiohttp", "httpx", "zalo_bot", "zlapi")
"""Our adapters, and every library that talks to a platform."""
NEUTRAL_API = {"handlers.events", "handlers.replies", "handlers.engine", "handlers.i18n",
               "handlers.options", "handlers.router", "handlers.clock"}
"""What a channel adapter may use of handlers/: events in, replies out, the engine between."""


def imports_of(folder: str) -> dict[str, set[str]]:
    """{file: modules it imports}, read from the syntax tree (imports inside functions too)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        modules: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                package = ".".join(path.relative_to(ROOT).parent.parts)
                base = node.module or ""
                if node.level:  # relative: resolve against the file's package
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                modules.add(base)
                modules.update(f"{base}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = modules
    return found


def test_flows_and_storage_import_nothing_from_any_channel() -> None:
    offending = {
        file: sorted(m for m in modules if m.split(".")[0] in CHANNEL_CODE)
        for folder in ("handlers", "storage")
        for file, modules in imports_of(folder).items()
    }
    assert {f: m for f, m in offending.items() if m} == {}


def test_the_checker_sees_imports() -> None:
    """The test above would pass on a checker that sees nothing: make sure it sees this."""
    assert "bot.webchat.chat" in imports_of("tests")["tests/test_architecture.py"]
    assert "handlers.events" in imports_of("bot")["bot/zalo_bot/convert.py"]


def test_channel_adapters_use_only_the_neutral_api() -> None:
    adapters = [p.relative_to(ROOT) for p in (ROOT / "bot").iterdir()
                if p.is_dir() and p.name not in ("web", "__pycache__")]
    assert {"telegram", "zalo_bot", "zalo_oa", "webchat"} <= {p.name for p in adapters}
    for folder in map(str, adapters):
        for file, modules in imports_of(folder).items():
            flows = {m for m in modules if m.startswith("handlers.")
                     and ".".join(m.split(".")[:2]) not in NEUTRAL_API}
            assert flows == set(), (file, flows)


async def test_one_engine_and_one_set_of_flows_serve_every_channel(settings, clock) -> None:
    async with (FakeTelegram() as telegram, FakeZaloBot() as zalo,
                running_app(settings, clock, zalo, telegram=telegram) as app):
        web_chat = app.web.app[CHAT]
        engines = {id(app.telegram.engine), id(app.zalo.engine), id(web_chat.engine)}
        assert engines == {id(app.engine)}
        flows = app.engine.services.features.flows
        assert "practice" in flows and set(flows) == set(build_features().flows)


CHANNEL_FOLDERS = ("bot/telegram", "bot/zalo_bot", "bot/zalo_oa", "bot/webchat", "bot/channels")


def test_channel_adapters_write_no_repository_themselves() -> None:
    """Offered actions, window warnings, an OA unfollow: flows' business, asked of the engine.
    What a channel keeps of its own (the OA's token row, the web chat's sessions and notices)
    goes through a port it defines, implemented in storage and handed in by bot/app.py."""
    reaching = {file for folder in CHANNEL_FOLDERS
                for file, modules in imports_of(folder).items()
                if any(m.startswith(("storage.repositories", "storage.db")) for m in modules)}
    assert reaching == set()


def test_the_channel_to_storage_contract_has_no_exceptions() -> None:
    """Issue 12, item 3: the import-linter contract that keeps adapters off storage names no
    module it lets through (an `ignore_imports` entry would hide a way around the ports)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"]
                 if "storage.repositories" in c.get("forbidden_modules", ())
                 and "bot.zalo_oa" in c.get("source_modules", ())]
    assert len(contracts) == 1
    assert set(contracts[0]["source_modules"]) >= {p.replace("/", ".") for p in CHANNEL_FOLDERS}
    assert contracts[0].get("ignore_imports", []) == []


def test_each_channel_is_built_from_its_own_section_of_the_settings() -> None:
    """Issue 12, item 5: an adapter receives its section, never the whole settings."""
    own = {TelegramChannel: TelegramSettings, ZaloChannel: ZaloBotSettings,
           ZaloOAChannel: ZaloOASettings, WebChatChannel: WebChatSettings}
    for channel, section in own.items():
        hints = typing.get_type_hints(channel.__init__)
        assert hints["settings"] is section, channel
        assert not any(getattr(h, "__name__", "") == "Settings" for h in hints.values()), channel


def secrets_in(value: Any) -> set[str]:
    """Every secret a settings object holds, however deep (sections, dataclasses)."""
    if isinstance(value, SecretStr):
        return {value.get_secret_value()}
    if isinstance(value, BaseModel):
        return set().union(*(secrets_in(getattr(value, name))
                             for name in type(value).model_fields), set())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return set().union(*(secrets_in(getattr(value, f.name))
                             for f in dataclasses.fields(value)), set())
    return set()


async def test_the_web_server_is_given_no_platforms_token_or_secret(settings, clock) -> None:
    """The server (map, API, console) gets only the sections it reads: a bug in a page cannot
    leak a bot's token or a webhook's secret, which only their channel holds."""
    async with (FakeTelegram() as telegram, FakeZaloBot() as zalo,
                running_app(settings, clock, zalo, telegram=telegram, webhook=True,
                            metrics_token=SecretStr("metrics-bearer-1")) as app):
        platforms = (secrets_in(app.settings.telegram) | secrets_in(app.settings.zalo_bot)
                     | secrets_in(app.settings.zalo_oa))
        assert {telegram.token, zalo.token} <= platforms and len(platforms) >= 3
        given = secrets_in(app.web.app[SETTINGS])
        assert given == {"metrics-bearer-1"}  # /metrics' own token, which it checks
        assert not given & platforms
