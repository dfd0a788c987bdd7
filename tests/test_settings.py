"""Configuration as the README documents it: every key in `.env.example` with a comment; an
empty value, in `.env` or the environment, means "not set"; DATABASE_URL in the forms hosting
services give; a bad value stops start-up with one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings, env_names, load_settings

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"


def example_keys() -> list[str]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


def clean_environment() -> dict[str, str]:
    """This process's environment without any variable the settings would read."""
    names = env_names()
    return {k: v for k, v in os.environ.items() if k.upper() not in names}


def test_every_setting_is_in_env_example_with_a_comment_and_nothing_else() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    keys = example_keys()
    assert sorted(keys) == sorted(env_names())
    for key in keys:  # a comment above it, or above the group of keys it belongs to
        index = next(i for i, line in enumerate(lines) if line.startswith(key + "="))
        while index > 0 and lines[index - 1] and not lines[index - 1].startswith("#"):
            index -= 1
        assert index > 0 and lines[index - 1].startswith("#"), f"{key} has no comment"


def test_empty_values_in_env_file_mean_not_set(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{key}=\n" for key in example_keys()), encoding="utf-8")
    assert Settings(_env_file=env_file).model_dump() == Settings(_env_file=None).model_dump()


def test_empty_values_in_the_environment_mean_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in env_names():
        monkeypatch.setenv(name, "")
    settings = Settings(_env_file=None)
    assert settings.telegram.bot_token is None and settings.zalo_bot.webhook_secret is None
    assert settings.zalo_oa.app_id is None and not settings.zalo_oa.enabled
    assert settings.web.port == 8080 and settings.scheduler.quiet_hours == "21-7"
    assert settings.web.map_tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_off_turns_the_map_tiles_off() -> None:
    assert Settings(_env_file=None, map_tile_url="off").web.map_tile_url is None


@pytest.mark.parametrize(("given", "used"), [
    ("sqlite:///./data/dvk.db", "sqlite+aiosqlite:///./data/dvk.db"),
    ("sqlite:////var/lib/dvk/dvk.db", "sqlite+aiosqlite:////var/lib/dvk/dvk.db"),
    ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ("postgresql://dvk:p%40ss@db:5432/dvk", "postgresql+asyncpg://dvk:p%40ss@db:5432/dvk"),
    ("postgres://dvk:pw@db.example/dvk", "postgresql+asyncpg://dvk:pw@db.example/dvk"),
    ("postgresql+asyncpg://db/dvk", "postgresql+asyncpg://db/dvk"),
    ("postgres://db/dvk?sslmode=require", "postgresql+asyncpg://db/dvk?ssl=require"),
    ("postgresql://db/dvk?application_name=x&sslmode=disable",
     "postgresql+asyncpg://db/dvk?application_name=x&ssl=disable"),
])
def test_database_url_takes_the_usual_forms_and_picks_the_async_driver(given: str,
                                                                        used: str) -> None:
    assert Settings(_env_file=None, database_url=given).database.url == used


@pytest.mark.parametrize("given", ["mysql://db/dvk", "data/dvk.db",
                                   "postgresql+psycopg2://db/dvk"])
def test_other_databases_are_refused_with_the_forms_accepted(given: str) -> None:
    with pytest.raises(ValidationError, match="sqlite:///.*postgresql://"):
        Settings(_env_file=None, database_url=given)


@pytest.mark.parametrize("given", ["123456789:AAE-x_y", "123456:TEST"])
def test_a_telegram_token_is_accepted(given: str) -> None:
    token = Settings(_env_file=None, telegram_bot_token=given).telegram.bot_token
    assert token is not None and token.get_secret_value() == given


def test_a_bad_value_stops_with_one_line_naming_the_setting(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        load_settings(_env_file=None, telegram_bot_token="not a token")
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("Invalid setting TELEGRAM_BOT_TOKEN:")
    assert "not a token" not in error


def test_the_product_refuses_a_bad_token_in_env_with_one_line_and_status_2(
        tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=abc\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=clean_environment(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Invalid setting TELEGRAM_BOT_TOKEN: must be the token @BotFather gives, "
        "like 123456789:AAE…, or empty to run without Telegram"]
    assert not (tmp_path / "data").exists()  # nothing was started


@pytest.mark.parametrize("where", ["under_a_file", "a_directory"])
def test_a_database_that_cannot_be_opened_stops_with_one_line_and_status_2(
        tmp_path: Path, where: str) -> None:
    (tmp_path / "notes.txt").write_text("not a directory", encoding="utf-8")
    path = tmp_path / "notes.txt" / "db.sqlite" if where == "under_a_file" else tmp_path
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite+aiosqlite:///{path}\nWEB_PORT=0\n",
                                   encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=clean_environment(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Cannot open the database of DATABASE_URL: "), line
    assert not (tmp_path / "data").exists()  # nothing else was started


@pytest.mark.parametrize(("name", "value"), [("https_proxy", "socks5h://127.0.0.1:1080"),
                                             ("all_proxy", "socks5://u:p@10.0.0.2:1080"),
                                             ("http_proxy", "http://proxy.example:3128")])
def test_proxy_urls_are_accepted(name: str, value: str) -> None:
    assert getattr(Settings(_env_file=None, **{name: value}).proxy, name) == value


def test_a_bare_proxy_address_is_an_http_proxy_as_for_curl() -> None:
    settings = Settings(_env_file=None, https_proxy="proxy.example:3128")
    assert settings.proxy.https_proxy == "http://proxy.example:3128"


@pytest.mark.parametrize("value", ["ftp://proxy:21", "socks5://", "socks5://host:1/path"])
def test_bad_proxy_urls_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="proxy URL"):
        Settings(_env_file=None, all_proxy=value)
