"""All configuration in one object, read from the environment and `.env`.

Every key is listed, with a one-line comment, in `.env.example`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_album_wait_seconds: float = Field(default=1.0, ge=0, le=10)
    telegram_poll_timeout_seconds: int = Field(default=20, ge=0, le=50)

    database_url: str = "sqlite+aiosqlite:///./data/danvankheo.db"
    media_dir: Path = Path("./data/media")
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, gt=0)

    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    draft_resume_prompt_hours: float = Field(default=12, ge=0)

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)

    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("must be 'vi' or 'en'")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("telegram_api_base_url", "telegram_file_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Read settings; on a bad value print one line naming the setting and exit with status 2."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        print(f"Invalid setting {name}: {first['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
