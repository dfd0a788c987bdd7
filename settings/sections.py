"""One section of settings per concern. Each reads its environment variables (and `.env`) under
its prefix; a key whose name predates the sections keeps it through an alias, so no deployment's
`.env` changes. Every key is listed, with a comment, in `.env.example`."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings.values import (
    DatabaseUrl,
    HourRange,
    HttpUrlText,
    Names,
    Networks,
    NumbersLargestFirst,
    NumbersSmallestFirst,
    OptionalHttpUrlText,
    ProxyUrlText,
    https_only,
    quiet_window,
)

TELEGRAM_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", env_file_encoding="utf-8",
                              extra="ignore", env_ignore_empty=True, validate_by_name=True,
                              validate_by_alias=True)


def named(env: str) -> str:
    """An alias: the key's name from before the sections (lower case, as the sections read it)."""
    return env.lower()


class Section(BaseSettings):
    """A concern's settings; `env_name` says which variable sets a field."""

    @classmethod
    def env_name(cls, field: str) -> str:
        info = cls.model_fields[field]
        alias = info.validation_alias
        prefix = str(cls.model_config.get("env_prefix", ""))
        return (alias if isinstance(alias, str) else prefix + field).upper()


class TelegramSettings(Section):
    """Telegram (bot/telegram/), on when TELEGRAM_BOT_TOKEN is set; and the outbox's pacing to
    Telegram's limits (scheduler/outbox.py)."""
    model_config = _config("TELEGRAM_")

    bot_token: SecretStr | None = None
    api_base_url: HttpUrlText = "https://api.telegram.org/bot"
    file_base_url: HttpUrlText = "https://api.telegram.org/file/bot"
    poll_timeout_seconds: int = Field(default=20, ge=0, le=50)
    reply_rate_per_second: float = Field(default=30, ge=0)
    """Telegram's overall cap (about 30 messages/s), shared by the replies and the outbox,
    replies first (bot/channels/budget.py); 0 turns the cap off."""
    bot_username: str | None = None
    """The bot's @username, for the invite links `dvk invite` prints (t.me/<username>?start=…)."""
    # Webhook (bot/telegram/webhook.py): when set, Telegram POSTs updates instead of polling.
    webhook_url: Annotated[str | None, https_only(
        "must be an https:// URL (Telegram only calls HTTPS webhooks)")] = Field(
        default=None, validation_alias=named("WEBHOOK_URL"))
    webhook_secret: SecretStr | None = Field(default=None,
                                             validation_alias=named("WEBHOOK_SECRET"))
    global_rate: float = Field(default=25, gt=0)
    per_chat_rate: float = Field(default=1, gt=0)
    group_rate_per_minute: float = Field(default=20, gt=0)

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TELEGRAM_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be the token @BotFather gives, like 123456789:AAE…, "
                             "or empty to run without Telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}",
                                                  value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ or -")
        return value

    @field_validator("bot_username", mode="before")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        value = (value or "").strip().lstrip("@")
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", value):
            raise ValueError("must be the bot's username, like dvk_bot (without t.me/)")
        return value or None

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramSettings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET (Telegram sends it with each "
                             "update so others cannot post fake ones)")
        return self


class ZaloBotSettings(Section):
    """Zalo Bot Platform (bot/zalo_bot/): on when ZALO_BOT_TOKEN is set."""
    model_config = _config("ZALO_BOT_")

    token: SecretStr | None = None
    api_base_url: HttpUrlText = "https://bot-api.zaloplatforms.com/bot"
    webhook_url: Annotated[str | None, https_only(
        "must be an https:// URL (Zalo only calls HTTPS webhooks)")] = Field(
        default=None, validation_alias=named("ZALO_WEBHOOK_URL"))
    webhook_secret: SecretStr | None = Field(default=None,
                                             validation_alias=named("ZALO_WEBHOOK_SECRET"))
    poll_timeout_seconds: int = Field(default=30, ge=1, le=60,
                                      validation_alias=named("ZALO_POLL_TIMEOUT_SECONDS"))
    rate_per_second: float = Field(default=10, ge=0,
                                   validation_alias=named("ZALO_RATE_PER_SECOND"))
    media_link_hours: float = Field(default=24, gt=0, le=24 * 30,
                                    validation_alias=named("ZALO_MEDIA_LINK_HOURS"))
    """How long a photo link sent to Zalo (Bot and OA) stays valid."""

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
            raise ValueError("must be 8-256 characters")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> ZaloBotSettings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("ZALO_WEBHOOK_URL needs ZALO_WEBHOOK_SECRET (Zalo sends it with "
                             "each update so others cannot post fake ones)")
        return self


class ZaloOASettings(Section):
    """Zalo Official Account (bot/zalo_oa/): on when the app id, app secret and OA secret key
    are set; the first refresh token comes from `dvk oa-auth` or ZALO_OA_REFRESH_TOKEN."""
    model_config = _config("ZALO_OA_")

    app_id: str | None = None
    app_secret: SecretStr | None = None
    secret_key: SecretStr | None = None
    refresh_token: SecretStr | None = None
    api_base_url: HttpUrlText = "https://openapi.zalo.me"
    oauth_base_url: HttpUrlText = "https://oauth.zaloapp.com"
    webhook_path: str = Field(default="/zalo-oa/webhook", pattern=r"^/[A-Za-z0-9/_.-]*$")
    webhook_max_age_seconds: float = Field(default=3600, gt=0)
    token_refresh_margin_seconds: float = Field(default=1800, ge=0)
    request_timeout_seconds: float = Field(default=15, gt=0)
    window_days: float = Field(default=7, gt=0)
    window_warn_days: float = Field(default=2, ge=0)
    button_title_max: int = Field(default=20, ge=5, le=100)
    upload_max_bytes: int = Field(default=1_000_000, gt=0)
    info_image_url: OptionalHttpUrlText = None

    @field_validator("webhook_path", mode="wrap")
    @classmethod
    def _path(cls, value: object, handler: object) -> str:
        try:
            return handler(value)  # type: ignore[operator, no-any-return]
        except ValueError:
            raise ValueError("must be a URL path starting with /, like /zalo-oa/webhook"
                             ) from None

    @model_validator(mode="after")
    def _complete(self) -> ZaloOASettings:
        given = [bool(self.app_id), self.app_secret is not None, self.secret_key is not None]
        if any(given) and not all(given):
            raise ValueError("the Zalo OA channel needs ZALO_OA_APP_ID, ZALO_OA_APP_SECRET "
                             "and ZALO_OA_SECRET_KEY together")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.app_secret and self.secret_key)


class DatabaseSettings(Section):
    """SQLite or PostgreSQL, in any of the forms hosting services give (storage/db.py)."""
    model_config = _config("DATABASE_")

    url: DatabaseUrl = "sqlite+aiosqlite:///./data/danvankheo.db"


class MediaSettings(Section):
    """Photos, proofs, voice notes and report workbooks (bot/media_store.py, storage/media*)."""
    model_config = _config("MEDIA_")

    dir: Path = Path("./data/media")
    # Empty for MEDIA_DIR on this machine, or s3://bucket/prefix shared by workers on several
    # machines.
    store: str = Field(default="", pattern=r"^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?)?$")
    s3_endpoint_url: OptionalHttpUrlText = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, gt=0,
                                 validation_alias=named("MAX_PHOTO_BYTES"))
    # Checked from the header before decoding: a small file can claim billions of pixels.
    max_photo_pixels: int = Field(default=40_000_000, gt=0,
                                  validation_alias=named("MAX_PHOTO_PIXELS"))
    # Voice notes: the longest and largest accepted, both stated to the person when they are
    # asked and when a note is refused.
    voice_max_seconds: int = Field(default=120, ge=5, le=600,
                                   validation_alias=named("VOICE_MAX_SECONDS"))
    voice_max_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024, le=20 * 1024 * 1024,
                                 validation_alias=named("VOICE_MAX_BYTES"))
    # Short videos (a practice and its updates): the longest and largest accepted. 20 MB is
    # what Telegram's Bot API lets a bot download; above it people are asked for a link.
    video_max_seconds: int = Field(default=180, ge=5, le=900,
                                   validation_alias=named("VIDEO_MAX_SECONDS"))
    video_max_bytes: int = Field(default=20 * 1024 * 1024, ge=256 * 1024, le=200 * 1024 * 1024,
                                 validation_alias=named("VIDEO_MAX_BYTES"))

    @field_validator("store", mode="wrap")
    @classmethod
    def _store(cls, value: object, handler: object) -> str:
        try:
            return handler(value.strip() if isinstance(value, str) else value)  # type: ignore[operator, no-any-return]
        except ValueError:
            raise ValueError("must be empty (MEDIA_DIR on this machine) or s3://bucket/prefix"
                             ) from None


class FlowSettings(Section):
    """What the conversations need (handlers/): language, time zone, limits per person."""
    model_config = _config("")

    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    draft_resume_prompt_hours: float = Field(default=12, ge=0)
    # Split messages are joined (handlers/text_join.py): text that answers a free-text question
    # waits this long for a further part; 0 answers every message at once.
    text_join_seconds: float = Field(default=1.5, ge=0, le=10)
    # Feedback categories offered, in order; each needs a label `option.category.<name>`.
    feedback_categories: Names = ("infrastructure", "environment", "public_order",
                                  "administrative_procedures", "social_policy", "online_fraud",
                                  "other")
    # Open feedback of the same category pinned within this many metres of a new one is offered
    # to follow instead of sending a duplicate (handlers/duplicates.py).
    duplicate_radius_m: int = Field(default=150, ge=1, le=10_000)
    # Criteria (handlers/criteria.py): a folder of criteria files (common.yaml, commune.yaml,
    # province.yaml, central.yaml) used instead of the built-in ones; empty: the built-in ones.
    criteria_dir: Path | None = None
    # Days a residents' consultation on a practice stays open when its official gives none
    # (handlers/officials/consultation_open.py); the scheduler closes it then.
    consultation_days: int = Field(default=14, ge=1, le=90)
    # Personal data on closed feedback is erased this many days after closing
    # (scheduler/retention.py); the privacy notice quotes it.
    retention_days_after_close: int = Field(default=365, ge=1, le=36_500)
    # Abuse limits on every channel (handlers/flood.py, handlers/feedback.py).
    messages_per_minute: int = Field(default=30, ge=1, le=10_000)
    feedback_per_day: int = Field(default=5, ge=1, le=10_000)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language", mode="before")
    @classmethod
    def _supported_language(cls, value: object) -> object:
        if value not in ("vi", "en"):
            raise ValueError("must be 'vi' or 'en'")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SchedulerSettings(Section):
    """Reminders, quiet hours, escalation, digests and housekeeping (scheduler/)."""
    model_config = _config("")

    # Days before a deadline at which its officials are reminded, largest first.
    reminder_offsets_days: NumbersLargestFirst = (30, 7, 1)
    reminder_hour: int = Field(default=8, ge=0, le=23)
    quiet_hours: HourRange = "21-7"
    # Hours after the last touch at which a draft is recalled, smallest first.
    draft_reminder_hours: NumbersSmallestFirst = (24, 168)
    escalation_ack_days: float = Field(default=3, gt=0)
    escalation_resolve_days: float = Field(default=15, gt=0)
    review_remind_days: float = Field(default=7, gt=0)
    review_escalate_days: float = Field(default=30, gt=0)
    # The weekly digest (scheduler/digest.py): local weekday (1 = Monday) and hour.
    digest_weekday: int = Field(default=7, ge=1, le=7)
    digest_hour: int = Field(default=9, ge=0, le=23)
    processed_updates_keep_days: float = Field(default=7, ge=1)

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        """Local (start, end) of quiet hours, or None when off."""
        return quiet_window(self.quiet_hours)


class OutboxSettings(Section):
    """The outbox sender (scheduler/outbox.py)."""
    model_config = _config("OUTBOX_")

    send_timeout_seconds: float = Field(default=10, gt=0)
    max_in_flight: int = Field(default=64, ge=1)
    resend_unconfirmed: bool = False


class WorkerSettings(Section):
    """Running as one of several workers (bot/leadership.py), and what the channel host does
    for every channel (bot/channels/)."""
    model_config = _config("")

    # A channel unreachable at start: seconds before the first retry, doubling up to 5 minutes.
    channel_retry_seconds: float = Field(default=10, gt=0)
    # Photos arriving within this many seconds of each other in one chat get one answer, on
    # every channel (bot/channels/inbound.py); the photos of one message always do.
    photo_burst_seconds: float = Field(default=1.0, ge=0, le=10)
    # A reply that fails for a passing reason (network, 5xx, quota) is sent again after this
    # many seconds, then twice that (bot/channels/retry.py).
    reply_retry_seconds: float = Field(default=1.0, ge=0, le=30)
    leader_lease_seconds: float = Field(default=15, ge=3, le=300)
    worker_id: str | None = Field(default=None, max_length=100)

    @field_validator("worker_id")
    @classmethod
    def _worker_name(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class WebSettings(Section):
    """The web server: map, public API, posters (bot/web/); the web chat is served on it and has
    its own section (`WebChatSettings`)."""
    model_config = _config("WEB_")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: OptionalHttpUrlText = Field(default=None,
                                                 validation_alias=named("PUBLIC_BASE_URL"))
    # Posters (bot/posters.py): the link people open to chat on Zalo, printed as a QR code; and
    # a .ttf with Vietnamese letters when fonts-dejavu-core is not installed.
    zalo_chat_link: Annotated[str | None, https_only(
        "must be an https:// link, like https://zalo.me/<OA id>")] = Field(
        default=None, validation_alias=named("ZALO_CHAT_LINK"))
    poster_font: Path | None = Field(default=None, validation_alias=named("POSTER_FONT"))
    map_tile_url: OptionalHttpUrlText = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        validation_alias=named("MAP_TILE_URL"))
    map_tile_attribution: str = Field(default="© OpenStreetMap contributors",
                                      validation_alias=named("MAP_TILE_ATTRIBUTION"))
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; empty: no one.
    trusted_proxies: Networks = Field(default=(), validation_alias=named("TRUSTED_PROXIES"))
    # Open311 (bot/web/open311.py): feedback one partner API key may file per minute (and keys
    # one address may get wrong per minute).
    open311_posts_per_minute: int = Field(default=10, ge=1, le=10_000,
                                          validation_alias=named("OPEN311_POSTS_PER_MINUTE"))


class WebChatSettings(Section):
    """The web chat (bot/webchat/), a channel on the bot's own server: always on."""
    model_config = _config("WEB_CHAT_")

    rate_per_minute: int = Field(default=60, ge=1, le=10_000)
    # New web chat sessions one address may open (bot/webchat/chat.py): a browser the server
    # never saw, or one whose cookie the server never issued, counts as a new session.
    new_sessions_per_hour: int = Field(default=20, ge=1, le=100_000)
    new_sessions_per_day: int = Field(default=60, ge=1, le=1_000_000)
    # Hours the answer to a web chat action is kept, so a retry that lost it gets it again.
    answer_keep_hours: float = Field(default=24, gt=0, le=24 * 30)


class MetricsSettings(Section):
    """/metrics (bot/web/metrics.py): a bearer token it requires, and/or an address of its own."""
    model_config = _config("METRICS_")

    token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=0, le=65535)


class ProxySettings(Section):
    """Outgoing proxies for the platforms' APIs (bot/proxies.py), as curl reads them."""
    model_config = _config("")

    https_proxy: ProxyUrlText = None
    http_proxy: ProxyUrlText = None
    all_proxy: ProxyUrlText = None
    no_proxy: str | None = None


class LogSettings(Section):
    """Logs (bot/logs.py)."""
    model_config = _config("LOG_")

    level: str = "INFO"
    format: Literal["auto", "json", "text"] = "auto"
    """auto: readable lines on a terminal, one JSON object per line otherwise."""
