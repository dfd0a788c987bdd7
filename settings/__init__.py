"""All configuration in one object of sections, one per concern, read from the environment and
`.env` (settings/sections.py). Each adapter and service receives only its section.

Every key is listed, with a one-line comment, in `.env.example`. An empty value (`KEY=` in
`.env` or the environment) means "not set": the default applies, so `.env.example` copied as it
is starts the product.

A setting is named, outside its section, by its environment variable in lower case
(`telegram_bot_token`): `Settings(telegram_bot_token=…)` and `settings.updated(web_port=0)` take
those names, and a validation error's location is that name.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails

from settings.sections import (
    TELEGRAM_TOKEN,
    DatabaseSettings,
    FlowSettings,
    LogSettings,
    MediaSettings,
    MetricsSettings,
    OutboxSettings,
    ProxySettings,
    SchedulerSettings,
    Section,
    TelegramSettings,
    WebChatSettings,
    WebSettings,
    WorkerSettings,
    ZaloBotSettings,
    ZaloOASettings,
)
from settings.values import async_database_url

__all__ = [
    "TELEGRAM_TOKEN", "DatabaseSettings", "FlowSettings", "LogSettings", "MediaSettings",
    "MetricsSettings", "OutboxSettings", "ProxySettings", "SchedulerSettings", "Settings",
    "TelegramSettings", "WebChatSettings", "WebSettings", "WorkerSettings", "ZaloBotSettings",
    "ZaloOASettings",
    "async_database_url", "env_names", "load_settings",
]

ENV_FILE = ".env"


class Settings(BaseModel):
    """The sections. Build it with `Settings()` (environment and `.env`), `_env_file=None` to
    read the environment only, and keyword overrides named as the environment variables."""

    model_config = ConfigDict(frozen=True)

    telegram: TelegramSettings
    zalo_bot: ZaloBotSettings
    zalo_oa: ZaloOASettings
    database: DatabaseSettings
    media: MediaSettings
    flows: FlowSettings
    scheduler: SchedulerSettings
    outbox: OutboxSettings
    workers: WorkerSettings
    web: WebSettings
    webchat: WebChatSettings
    metrics: MetricsSettings
    proxy: ProxySettings
    log: LogSettings

    def __init__(self, _env_file: str | Path | None = ENV_FILE, **values: Any) -> None:
        sections: dict[str, Any] = {}
        by_section = _by_section(values)
        for name, section in _SECTIONS.items():
            given = values.pop(name, None)
            if isinstance(given, section):
                sections[name] = given.model_copy(update=by_section.get(name, {}))
                continue
            try:
                sections[name] = section(_env_file=_env_file,  # type: ignore[call-arg]
                                         **(dict(given or {}) | by_section.get(name, {})))
            except ValidationError as exc:
                raise _named_by_env(exc, section) from None
        super().__init__(**sections)

    def updated(self, **values: Any) -> Settings:
        """These settings with some changed (named as the environment variables, in lower
        case), checked as if read from the environment: what tests use to adjust a fixture."""
        changed: dict[str, Any] = {}
        for name, fields in _by_section(values).items():
            section: Section = getattr(self, name)
            try:
                changed[name] = type(section).model_validate(section.model_dump() | fields)
            except ValidationError as exc:
                raise _named_by_env(exc, type(section)) from None
        return self.model_copy(update=changed)

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Settings:
        unknown = set(update or ()) - set(_SECTIONS)
        if unknown:  # a flat name from before the sections would be silently ignored
            raise TypeError(f"not sections: {sorted(unknown)}; use Settings.updated(...)")
        return super().model_copy(update=update, deep=deep)


_SECTIONS: dict[str, type[Section]] = {
    name: info.annotation for name, info in Settings.model_fields.items()  # type: ignore[misc]
}

_FLAT: dict[str, tuple[str, str]] = {
    section.env_name(field).lower(): (name, field)
    for name, section in _SECTIONS.items() for field in section.model_fields
}


def _by_section(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Pop the flat names (`telegram_bot_token`) out of `values`, grouped by section."""
    grouped: dict[str, dict[str, Any]] = {}
    for key in [key for key in values if key not in _SECTIONS]:
        if key not in _FLAT:
            raise TypeError(f"unknown setting {key!r}")
        section, field = _FLAT[key]
        grouped.setdefault(section, {})[field] = values.pop(key)
    return grouped


def _named_by_env(exc: ValidationError, section: type[Section]) -> ValidationError:
    """The same errors, located by environment variable name (lower case), not field."""
    aliases = {info.validation_alias: field for field, info in section.model_fields.items()
               if isinstance(info.validation_alias, str)}
    details: list[InitErrorDetails] = []
    for error in exc.errors():
        loc = error["loc"]
        if loc:
            field = aliases.get(str(loc[0]), str(loc[0]))
            if field in section.model_fields:
                loc = (section.env_name(field).lower(), *loc[1:])
        detail: InitErrorDetails = {"type": error["type"], "loc": loc, "input": error["input"]}
        if "ctx" in error:
            detail["ctx"] = error["ctx"]
        details.append(detail)
    return ValidationError.from_exception_data(section.__name__, details)


def env_names() -> set[str]:
    """The environment variables (and `.env` keys) the settings read: what `.env.example` and
    compose.yaml may name."""
    return {key.upper() for key in _FLAT}


def load_settings(**overrides: Any) -> Settings:
    """Read settings; on a bad value print one line naming the setting and exit with status 2."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        print(f"Invalid setting {name}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
