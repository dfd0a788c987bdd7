"""Table models. Input and public shapes live beside the code that needs them.

Statuses and kinds are `StrEnum`s stored as plain strings, so PostgreSQL and SQLite agree and a
new value needs no schema change.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"
    ADMIN = "admin"


class Level(StrEnum):
    """Cấp: cơ sở (commune), tỉnh (province), Trung ương (central)."""

    COMMUNE = "commune"
    PROVINCE = "province"
    CENTRAL = "central"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    ZALO_BOT = "zalo_bot"
    ZALO_OA = "zalo_oa"
    WEB = "web"


class PracticeStatus(StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECOGNISED = "recognised"


PUBLIC_PRACTICE_STATUSES = (PracticeStatus.APPROVED, PracticeStatus.RECOGNISED)


class Person(SQLModel, table=True):
    """One human, whatever channels they use."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(default="", max_length=200)
    language: str = Field(default="vi", max_length=8)
    role: str = Field(default=Role.CITIZEN, max_length=16, index=True)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    level: str | None = Field(default=None, max_length=16)
    created_at: datetime


class ChannelAccount(SQLModel, table=True):
    """A person's identity on one channel (a Telegram user, a Zalo chat, a web session)."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    username: str | None = Field(default=None, max_length=64)
    display_name: str = Field(default="", max_length=200)
    active: bool = True
    created_at: datetime
    last_seen_at: datetime


class Unit(SQLModel, table=True):
    """An administrative unit from `vietnam-provinces`: a province or a commune/ward/special zone."""

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16, index=True)  # "province" | "commune"
    division_type: str = Field(max_length=32)
    province_code: str = Field(max_length=16, index=True)
    search_key: str = Field(max_length=160, index=True)


class Practice(SQLModel, table=True):
    """Mô hình, cách làm "Dân vận khéo"."""

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=24, unique=True)
    status: str = Field(default=PracticeStatus.SUBMITTED, max_length=24, index=True)
    submitter_id: int = Field(foreign_key="person.id", index=True)

    submitter_kind: str = Field(max_length=16)  # "collective" | "individual"
    submitter_type: str = Field(max_length=48)
    submitter_name: str = Field(max_length=200)
    field: str = Field(max_length=24, index=True)
    title: str = Field(max_length=200)
    description: str = Field(max_length=3000)

    clear_who: str = Field(max_length=500)
    clear_what: str = Field(max_length=500)
    clear_when: str = Field(max_length=500)
    clear_responsibility: str = Field(max_length=500)
    clear_product: str = Field(max_length=500)
    clear_authority: str = Field(max_length=500)

    people_mobilised: int = 0
    people_groups: str | None = Field(default=None, max_length=500)
    contribution_workdays: int | None = None
    contribution_money_vnd: int | None = None
    contribution_other: str | None = Field(default=None, max_length=500)
    results: str = Field(max_length=2000)

    commune_code: str = Field(max_length=16, index=True)
    province_code: str = Field(max_length=16, index=True)
    village: str = Field(max_length=200)
    latitude: float | None = None
    longitude: float | None = None

    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    updated_at: datetime


class PracticePhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    position: int = 0
    sha256: str = Field(max_length=64, index=True)
    path: str = Field(max_length=300)
    mime_type: str = Field(max_length=64)
    size_bytes: int
    channel: str = Field(max_length=16)
    platform_file_id: str | None = Field(default=None, max_length=255)


class Conversation(SQLModel, table=True):
    """Where one channel account is in a flow. The database, not memory, is the truth."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="channelaccount.id", unique=True)
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime | None = None
    updated_at: datetime


class ProcessedUpdate(SQLModel, table=True):
    """Platform update ids already handled: a redelivered update is dropped."""

    channel: str = Field(primary_key=True, max_length=16)
    update_id: str = Field(primary_key=True, max_length=96)
    processed_at: datetime


class Recognition(SQLModel, table=True):
    """Điển hình "Dân vận khéo": a practice recognised at a level, for a period."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    level: str = Field(max_length=16, index=True)
    unit_code: str | None = Field(default=None, max_length=16)
    recognised_by: int = Field(foreign_key="person.id")
    recognised_at: datetime
    valid_until: datetime


class PracticeVote(SQLModel, table=True):
    """A citizen's consensus on a recognised practice of their commune: one per person."""

    __table_args__ = (UniqueConstraint("practice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    agrees: bool
    satisfaction: int = Field(ge=1, le=5)
    updated_at: datetime


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxMessage(SQLModel, table=True):
    """Everything the bot sends on its own initiative (notifications, reminders), to a person.

    The idempotency key (what × recipient × occurrence) is unique, so producing the same
    notification twice stores it once; the status records whether it was delivered.
    """

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="channelaccount.id")
    channel: str | None = Field(default=None, max_length=16)
    payload: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(index=True)
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
