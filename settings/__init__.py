"""All configuration in one object, read from the environment and `.env`.

Every key is listed, with a one-line comment, in `.env.example`. An empty value (`KEY=` in
`.env` or the environment) means "not set": the default applies, so `.env.example` copied as it
is starts the product.
"""

from __future__ import annotations

import re
import sys
from datetime import time
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_poll_timeout_seconds: int = Field(default=20, ge=0, le=50)
    telegram_reply_rate_per_second: float = Field(default=30, ge=0)
    """Telegram's overall cap (about 30 messages/s), shared by the replies and the outbox,
    replies first (bot/channels/budget.py); 0 turns the cap off."""
    telegram_bot_username: str | None = None
    """The bot's @username, for the invite links `dvk invite` prints (t.me/<username>?start=…)."""

    # Zalo Bot Platform (bot/zalo_bot/): on when ZALO_BOT_TOKEN is set.
    zalo_bot_token: SecretStr | None = None
    zalo_bot_api_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_poll_timeout_seconds: int = Field(default=30, ge=1, le=60)
    zalo_rate_per_second: float = Field(default=10, ge=0)
    zalo_media_link_hours: float = Field(default=24, gt=0, le=24 * 30)

    # Zalo Official Account (bot/zalo_oa/): on when the app id, app secret and OA secret key
    # are set; the first refresh token comes from `dvk oa-auth` or ZALO_OA_REFRESH_TOKEN.
    zalo_oa_app_id: str | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_webhook_path: str = "/zalo-oa/webhook"
    zalo_oa_webhook_max_age_seconds: float = Field(default=3600, gt=0)
    zalo_oa_token_refresh_margin_seconds: float = Field(default=1800, ge=0)
    zalo_oa_request_timeout_seconds: float = Field(default=15, gt=0)
    zalo_oa_window_days: float = Field(default=7, gt=0)
    zalo_oa_window_warn_days: float = Field(default=2, ge=0)
    zalo_oa_button_title_max: int = Field(default=20, ge=5, le=100)
    zalo_oa_upload_max_bytes: int = Field(default=1_000_000, gt=0)
    zalo_oa_info_image_url: str | None = None

    database_url: str = "sqlite+aiosqlite:///./data/danvankheo.db"
    media_dir: Path = Path("./data/media")
    # Where photos, proofs and report workbooks are kept (bot/media_store.py): empty for
    # MEDIA_DIR on this machine, or s3://bucket/prefix, shared by workers on several machines.
    media_store: str = ""
    media_s3_endpoint_url: str | None = None
    media_s3_region: str | None = None
    media_s3_access_key_id: str | None = None
    media_s3_secret_access_key: SecretStr | None = None
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Checked from the header before decoding: a small file can claim billions of pixels.
    max_photo_pixels: int = Field(default=40_000_000, gt=0)
    # Voice notes (feedback's description and additions): the longest and largest accepted,
    # both stated to the person when they are asked and when a note is refused.
    voice_max_seconds: int = Field(default=120, ge=5, le=600)
    voice_max_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024, le=20 * 1024 * 1024)
    # Short videos (a practice and its updates): the longest and largest accepted. 20 MB is
    # what Telegram's Bot API lets a bot download; above it people are asked for a link.
    video_max_seconds: int = Field(default=180, ge=5, le=900)
    video_max_bytes: int = Field(default=20 * 1024 * 1024, ge=256 * 1024,
                                 le=200 * 1024 * 1024)

    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    draft_resume_prompt_hours: float = Field(default=12, ge=0)
    # Split messages are joined (handlers/text_join.py): text that answers a free-text question
    # waits this long for a further part (an app cuts a long paste into several messages);
    # 0 answers every message at once.
    text_join_seconds: float = Field(default=1.5, ge=0, le=10)
    # Feedback (handlers/feedback.py): the categories offered, in order; each needs a label
    # `option.category.<name>` in the catalogues.
    feedback_categories: str = ("infrastructure,environment,public_order,"
                                "administrative_procedures,social_policy,online_fraud,other")
    # Open feedback of the same category pinned within this many metres of a new one is offered
    # to follow instead of sending a duplicate (handlers/duplicates.py).
    duplicate_radius_m: int = Field(default=150, ge=1, le=10_000)
    # Days a residents' consultation on a practice stays open when its official gives none
    # (handlers/officials/consultation_open.py); the scheduler closes it then.
    consultation_days: int = Field(default=14, ge=1, le=90)

    # Scheduler (scheduler/): reminders, quiet hours, feedback escalation.
    reminder_offsets_days: str = "30,7,1"
    reminder_hour: int = Field(default=8, ge=0, le=23)
    quiet_hours: str = "21-7"
    draft_reminder_hours: str = "24,168"
    escalation_ack_days: float = Field(default=3, gt=0)
    escalation_resolve_days: float = Field(default=15, gt=0)
    # Practices awaiting review (scheduler/review_reminders.py): its officials are reminded
    # after this many days, and the next level up is told after that many.
    review_remind_days: float = Field(default=7, gt=0)
    review_escalate_days: float = Field(default=30, gt=0)
    # The weekly digest of followed communes and provinces (scheduler/digest.py): the local
    # weekday (1 = Monday … 7 = Sunday) and hour it goes out; quiet hours hold it back.
    digest_weekday: int = Field(default=7, ge=1, le=7)
    digest_hour: int = Field(default=9, ge=0, le=23)
    # The outbox sender (scheduler/outbox.py) paces itself to Telegram's limits.
    telegram_global_rate: float = Field(default=25, gt=0)
    telegram_per_chat_rate: float = Field(default=1, gt=0)
    telegram_group_rate_per_minute: float = Field(default=20, gt=0)
    outbox_send_timeout_seconds: float = Field(default=10, gt=0)
    outbox_max_in_flight: int = Field(default=64, ge=1)
    outbox_resend_unconfirmed: bool = False
    # Photos arriving within this many seconds of each other in one chat get one answer, on
    # every channel (bot/channels/inbound.py); the photos of one message always do.
    photo_burst_seconds: float = Field(default=1.0, ge=0, le=10)
    # A reply that fails for a passing reason (network, 5xx, quota) is sent again after this
    # many seconds, then twice that (bot/channels/retry.py).
    reply_retry_seconds: float = Field(default=1.0, ge=0, le=30)
    # A channel unreachable at start (Telegram blocked, a platform down): seconds before the
    # first retry, doubling up to 5 minutes.
    channel_retry_seconds: float = Field(default=10, gt=0)
    # Housekeeping (scheduler/housekeeping.py).
    processed_updates_keep_days: float = Field(default=7, ge=1)
    # Several workers, one leader (bot/leadership.py, storage/leader.py).
    leader_lease_seconds: float = Field(default=15, ge=3, le=300)
    worker_id: str | None = Field(default=None, max_length=100)
    # Personal data on closed feedback is erased this many days after closing
    # (scheduler/retention.py); the privacy notice quotes it.
    retention_days_after_close: int = Field(default=365, ge=1, le=36_500)
    # Abuse limits on every channel (handlers/flood.py, handlers/feedback.py): messages one
    # account may send per minute, new feedback one person may send per day.
    messages_per_minute: int = Field(default=30, ge=1, le=10_000)
    feedback_per_day: int = Field(default=5, ge=1, le=10_000)

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str | None = None
    # Posters and plaques (bot/posters.py, `dvk poster`): the link people open to chat on Zalo
    # (the OA's https://zalo.me/<OA id>, or the one Zalo Bot Creator shows), printed as a QR
    # code; and a .ttf with Vietnamese letters when fonts-dejavu-core is not installed.
    zalo_chat_link: str | None = None
    poster_font: Path | None = None
    # Telegram webhook (bot/web/webhook.py): when set, Telegram POSTs updates instead of polling.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    map_tile_url: str | None = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "© OpenStreetMap contributors"
    web_chat_rate_per_minute: int = Field(default=60, ge=1, le=10_000)
    # Open311 (bot/web/open311.py): feedback one partner API key may file per minute (and keys
    # one address may get wrong per minute).
    open311_posts_per_minute: int = Field(default=10, ge=1, le=10_000)
    # /metrics (bot/web/metrics.py): a bearer token it requires, and/or an address of its own
    # (then it is answered only there, e.g. a private interface the Prometheus server reaches).
    metrics_token: SecretStr | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # New web chat sessions one address may open (bot/web/webchat.py): a browser the server
    # never saw, or one whose cookie the server never issued, counts as a new session.
    web_chat_new_sessions_per_hour: int = Field(default=20, ge=1, le=100_000)
    web_chat_new_sessions_per_day: int = Field(default=60, ge=1, le=1_000_000)
    # Addresses or networks of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are
    # believed (bot/web/forwarded.py), comma-separated; empty: believe no one.
    trusted_proxies: str = ""
    # Hours the answer to a web chat action is kept, so a retry that lost it gets it again.
    web_chat_answer_keep_hours: float = Field(default=24, gt=0, le=24 * 30)

    # Outgoing proxies for the platforms' APIs (bot/proxies.py), as curl reads them; Telegram is
    # blocked in Viet Nam. socks5h:// lets the proxy resolve names.
    https_proxy: str | None = None
    http_proxy: str | None = None
    all_proxy: str | None = None
    no_proxy: str | None = None

    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    """auto: readable lines on a terminal, one JSON object per line otherwise (bot/logs.py)."""

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
        return async_database_url(value)

    @field_validator("https_proxy", "http_proxy", "all_proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value and "://" not in value:  # curl's reading of a bare host:port
            value = f"http://{value}"
        if value and not re.fullmatch(r"(?i)(https?|socks5h?|socks4a?)://[^/\s]+/?", value):
            raise ValueError("must be a proxy URL like socks5h://127.0.0.1:1080 or "
                             "http://proxy.example:3128")
        return value or None

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TELEGRAM_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be the token @BotFather gives, like 123456789:AAE…, "
                             "or empty to run without Telegram")
        return value

    @field_validator("media_store")
    @classmethod
    def _media_store(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?", value):
            raise ValueError("must be empty (MEDIA_DIR on this machine) or s3://bucket/prefix")
        return value

    @field_validator("media_s3_endpoint_url")
    @classmethod
    def _s3_endpoint(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value or None

    @field_validator("telegram_api_base_url", "telegram_file_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("reminder_offsets_days", "draft_reminder_hours")
    @classmethod
    def _positive_numbers(cls, value: str) -> str:
        _numbers(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        _proxy_networks(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hour_range(cls, value: str) -> str:
        _quiet_window(value)
        return value

    @field_validator("public_base_url", "map_tile_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value and value.strip().lower() in ("off", "none"):  # an empty value is the default
            return None
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value or None

    @field_validator("zalo_chat_link")
    @classmethod
    def _zalo_link(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("must be an https:// link, like https://zalo.me/<OA id>")
        return value or None

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram only calls HTTPS webhooks)")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}",
                                                  value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ or -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET (Telegram sends it with each "
                             "update so others cannot post fake ones)")
        return self

    @field_validator("telegram_bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        value = (value or "").strip().lstrip("@")
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", value):
            raise ValueError("must be the bot's username, like dvk_bot (without t.me/)")
        return value or None

    @field_validator("worker_id")
    @classmethod
    def _worker_name(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("feedback_categories")
    @classmethod
    def _category_names(cls, value: str) -> str:
        _category_list(value)
        return value

    @property
    def feedback_category_list(self) -> tuple[str, ...]:
        return _category_list(self.feedback_categories)

    @field_validator("zalo_bot_api_base_url")
    @classmethod
    def _zalo_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("zalo_webhook_url")
    @classmethod
    def _zalo_https_url(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Zalo only calls HTTPS webhooks)")
        return value or None

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
            raise ValueError("must be 8-256 characters")
        return value

    @model_validator(mode="after")
    def _zalo_webhook_needs_secret(self) -> Settings:
        if self.zalo_webhook_url and self.zalo_webhook_secret is None:
            raise ValueError("ZALO_WEBHOOK_URL needs ZALO_WEBHOOK_SECRET (Zalo sends it with "
                             "each update so others cannot post fake ones)")
        return self

    @field_validator("zalo_oa_api_base_url", "zalo_oa_oauth_base_url", "zalo_oa_info_image_url")
    @classmethod
    def _zalo_oa_urls(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value or None

    @field_validator("zalo_oa_webhook_path")
    @classmethod
    def _zalo_oa_path(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9/_.-]*", value):
            raise ValueError("must be a URL path starting with /, like /zalo-oa/webhook")
        return value

    @model_validator(mode="after")
    def _zalo_oa_complete(self) -> Settings:
        given = [bool(self.zalo_oa_app_id), self.zalo_oa_app_secret is not None,
                 self.zalo_oa_secret_key is not None]
        if any(given) and not all(given):
            raise ValueError("the Zalo OA channel needs ZALO_OA_APP_ID, ZALO_OA_APP_SECRET "
                             "and ZALO_OA_SECRET_KEY together")
        return self

    @property
    def zalo_oa_enabled(self) -> bool:
        return bool(self.zalo_oa_app_id and self.zalo_oa_app_secret and self.zalo_oa_secret_key)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reminder_offsets(self) -> tuple[int, ...]:
        """Days before a deadline at which its officials are reminded, largest first."""
        return tuple(sorted(_numbers(self.reminder_offsets_days), reverse=True))

    @property
    def draft_reminder_steps(self) -> tuple[int, ...]:
        """Hours after the last touch at which a draft (or a practice awaiting changes) is
        recalled, smallest first; after the last one, never again."""
        return tuple(sorted(_numbers(self.draft_reminder_hours)))

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return _proxy_networks(self.trusted_proxies)

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        """Local (start, end) of quiet hours, or None when off."""
        return _quiet_window(self.quiet_hours)


def env_names() -> set[str]:
    """The environment variables (and `.env` keys) the settings read: what `.env.example` and
    compose.yaml may name. Keep it true if the settings gain sections."""
    names = set()
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        names.add((alias if isinstance(alias, str) else name).upper())
    return names


TELEGRAM_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
                  "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
                  "postgresql+asyncpg": "postgresql+asyncpg"}


def async_database_url(url: str) -> str:
    """The URL with the async driver the product runs on: hosting services and 12-factor guides
    give `postgres://…` or `postgresql://…` (and `sqlite:///…` is the plain SQLAlchemy form).
    libpq's `sslmode=` becomes asyncpg's `ssl=`, which takes the same values."""
    scheme, separator, rest = url.strip().partition("://")
    driver = _ASYNC_DRIVERS.get(scheme.lower()) if separator else None
    if driver is None:
        raise ValueError("must be sqlite:///path/to/file.db or "
                         "postgresql://user:password@host:5432/database")
    if driver == "postgresql+asyncpg":
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{driver}://{rest}"


def _numbers(value: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError("must be whole numbers separated by commas, like 30,7,1") from None
    if not numbers or any(n <= 0 for n in numbers):
        raise ValueError("must be whole numbers above 0 separated by commas, like 30,7,1")
    return numbers


def _proxy_networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(part.strip(), strict=False)
                     for part in value.split(",") if part.strip())
    except ValueError:
        raise ValueError("must be IP addresses or networks separated by commas, "
                         "like 127.0.0.1,10.0.0.0/8") from None


def _category_list(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not names or not all(re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name) for name in names):
        raise ValueError("must be category names (a-z, 0-9, _) separated by commas, "
                         "like infrastructure,environment,other")
    return names


def _quiet_window(value: str) -> tuple[time, time] | None:
    """ "21-7" or "21:00-07:00" -> (21:00, 07:00); "" or "off" -> None."""
    if value.strip().lower() in ("", "off", "none"):
        return None
    try:
        start, end = (time.fromisoformat(part.strip().zfill(2) if ":" not in part
                                         else part.strip().zfill(5))
                      for part in value.split("-"))
    except ValueError:
        raise ValueError("must be START-END hours, like 21-7 or 21:00-07:00, or off") from None
    if start == end:
        raise ValueError("start and end of quiet hours must differ")
    return start, end


def load_settings(**overrides: object) -> Settings:
    """Read settings; on a bad value print one line naming the setting and exit with status 2."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        print(f"Invalid setting {name}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
