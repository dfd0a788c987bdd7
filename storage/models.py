"""Table models. Input and public shapes live beside the code that needs them.

Statuses and kinds are `StrEnum`s stored as plain strings, so PostgreSQL and SQLite agree and a
new value needs no schema change.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Table, UniqueConstraint, inspect
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"
    ADMIN = "admin"
    PARTNER = "partner"
    """Stands for a partner application that files feedback through Open311 (`ApiKey`)."""


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
    WITHDRAWN = "withdrawn"
    """Taken back by its submitter while it awaited review; it can be revised and sent again."""


PUBLIC_PRACTICE_STATUSES = (PracticeStatus.APPROVED, PracticeStatus.RECOGNISED)

MAX_ID = 2**31 - 1
"""The largest `id` on PostgreSQL, where the key columns are INTEGER (SQLite's go higher). An id
from outside (a button, a command, a URL) may be larger: it names nothing, and PostgreSQL
refuses a query that compares an INTEGER column with it."""


class Person(SQLModel, table=True):
    """One human, whatever channels they use."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(default="", max_length=200)
    language: str = Field(default="vi", max_length=8)
    role: str = Field(default=Role.CITIZEN, max_length=16, index=True)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    level: str | None = Field(default=None, max_length=16)
    created_at: datetime
    notify_channel: str | None = Field(default=None, max_length=16)
    """Where notifications and reminders go (handlers/linking.py); None: the channel last used."""
    consent_version: str | None = Field(default=None, max_length=16)
    """The version of the privacy notice this person agreed to, None if they have not (or
    withdrew); the history is in `Consent`."""
    muted_until: datetime | None = None
    """Until when an official has muted this person (no new feedback); None or past: not muted.
    Read on every turn with the person, so no extra query; the mutes themselves, with who and
    why, are `AccountMute` rows (storage/repositories/mutes.py keeps the two in step)."""


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
    menu_role: str | None = Field(default=None, max_length=16)
    """The role whose commands this chat's "/" menu was last set to (None: the default menu),
    so the engine knows when a role change must reach the menu (`handlers/replies.MenuReply`)."""


class Unit(SQLModel, table=True):
    """An administrative unit from `vietnam-provinces`: a province, or a commune, ward or
    special zone."""

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16, index=True)  # "province" | "commune"
    division_type: str = Field(max_length=32)
    province_code: str = Field(max_length=16, index=True)
    search_key: str = Field(max_length=160, index=True)


class Practice(SQLModel, table=True):
    """Mô hình, cách làm "Dân vận khéo"."""

    __table_args__ = (
        # Covers the public map's queries (storage/repositories/public_map.py): at 100,000
        # practices a view is read from this index alone, not from the wide rows.
        Index("ix_practice_map", "status", "latitude", "longitude", "province_code", "field",
              "commune_code", "created_at"),
    )

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
    organisations_taking_part: int | None = None
    """Organisations (enterprises, unions, associations…) taking part, counted apart from the
    people mobilised: the form once asked "bao nhiêu người, tổ chức" as one number."""
    people_groups: str | None = Field(default=None, max_length=500)
    contribution_workdays: int | None = None
    contribution_money_vnd: int | None = Field(
        default=None, sa_type=BigInteger().with_variant(Integer(), "sqlite"))
    """Up to 10^12 đồng (handlers/submit_practice.py), more than a 32-bit INTEGER holds: a
    BIGINT (SQLite's INTEGER is 64-bit already; migration 0012)."""
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
    priority_task: str | None = Field(default=None, max_length=16)
    """"Ưu tiên" by the task: `PRIORITY_TASKS` (a new practice, a hard task, both); None: not
    said. Asked in the form, shown to reviewers, filterable on the map."""
    difficult_area: str | None = Field(default=None, max_length=16)
    """"Ưu tiên" by the place: `DIFFICULT_AREAS` (remote, border, island, ethnic minority)."""


PRIORITY_TASKS = ("new_practice", "hard_task", "both")
DIFFICULT_AREAS = ("remote", "border", "island", "ethnic_minority")


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
    processed_at: datetime = Field(index=True)  # housekeeping deletes by age
    answer: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    """What the update was answered, for channels whose client retries a request it lost the
    answer to (the web chat): the retry gets this, not a second handling. Housekeeping forgets
    it after a while (`updates.forget_answers_before`), long before the mark itself."""


class Recognition(SQLModel, table=True):
    """Điển hình "Dân vận khéo": a practice recognised at a level, for a period."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    level: str = Field(max_length=16, index=True)
    unit_code: str | None = Field(default=None, max_length=16)
    recognised_by: int = Field(foreign_key="person.id")
    recognised_at: datetime
    valid_until: datetime
    year: int | None = None
    """The cycle year it counts for (the local year it was made in; the calendar decides which
    years a level recognises in: handlers/officials/levels.py)."""
    decision_number: str | None = Field(default=None, max_length=60)
    """The decision's number as the official typed it ("125/QĐ-UBND"), optional."""
    decision_date: date | None = None
    consultation_id: int | None = None
    """The residents' consultation whose result it was made with (None: made without one, the
    official confirmed that). Not a foreign key, so the column is added without a rebuild."""


class PublicMapVersion(SQLModel, table=True):
    """One row whose `version` the database itself moves whenever what the public map shows
    may have changed: triggers on `practice` (a row that is or was public) and `recognition`
    (migration 0027_public_map_version). Each worker keeps its map answers under the version
    they were computed at (bot/web/map_answers.py) and reads this row first: a practice
    approved through any worker, any code path or a console is on every worker's map at once.
    """

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger().with_variant(Integer(), "sqlite"))


class PracticeVote(SQLModel, table=True):
    """A citizen's consensus on a recognised practice: one per person, cast through the
    consultation the bot offered them (handlers/consensus.py), from a Telegram or Zalo account.
    It counts only when the voter declared they live in the practice's commune."""

    __table_args__ = (UniqueConstraint("practice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    agrees: bool
    satisfaction: int = Field(ge=1, le=5)
    updated_at: datetime
    resident_of: str | None = Field(default=None, max_length=16)
    """The commune the voter declared, with this vote, that they live in; None: they said they
    do not live in the practice's commune (their opinion is kept, not counted)."""


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNCONFIRMED = "unconfirmed"
    """The process stopped while this was being sent: maybe delivered, so never sent again."""
    AWAITING_CONTACT = "awaiting_contact"
    """The channel may write to the person only after they write (Zalo OA's 7-day window) and
    they have no other: due again when they next write (storage/repositories/zalo_oa.py)."""


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
    payload: list[dict[str, Any]] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(index=True)
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    expires_at: datetime | None = None
    """No longer worth sending after this instant (a reminder past its deadline): skipped."""
    quiet_hours: bool = False
    """Held back during quiet hours (reminders); answers to a person's own request are not."""
    parts_sent: int = 0
    """Replies of the payload already delivered, so that a retry never repeats one."""
    claim_epoch: int | None = None
    """The leader's term (`LeaderLease.epoch`) that claimed it: a fencing token, so a leader
    that lost its lease neither claims, sends nor records anything (scheduler/outbox.py)."""
    wire_at: datetime | None = None
    """Set, in its own commit, just before the request leaves: a claimed row without it was
    certainly not delivered and is sent again after a leader change; with it, maybe was."""


class LeaderLease(SQLModel, table=True):
    """Whose term it is to run the scheduler, the outbox and the pollers (storage/leader.py).

    The lock itself is a PostgreSQL advisory lock (or, on SQLite, a lock file); this row only
    counts the terms, so each leader gets a larger `epoch` to fence its writes with."""

    name: str = Field(primary_key=True, max_length=32)
    epoch: int = 0
    worker: str = Field(default="", max_length=128)
    acquired_at: datetime | None = None


WEB_SESSION_LIFETIME = timedelta(days=30)
"""A web chat session (its cookie) lives this long from its latest action; the web chat sets
the cookie with it, and housekeeping forgets notices no page can show any more."""


class WebNotice(SQLModel, table=True):
    """A notice the outbox delivered to a web chat. A browser cannot be written to, so it waits
    here until the chat's page asks for it (bot/webchat/notices.py); `seen_at` is set once
    the page has shown it."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=64, index=True)
    payload: list[dict[str, Any]] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    """The replies, in the outbox's form (handlers/replies.py `to_payload`)."""
    created_at: datetime
    seen_at: datetime | None = None


# -- Feedback (phản ánh, kiến nghị) and the officials' side ------------------------------------


class FeedbackStatus(StrEnum):
    NEW = "new"
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    FORWARDED = "forwarded"  # handed to another unit, waiting for it to take it up
    RESOLVED = "resolved"
    REJECTED = "rejected"
    MERGED = "merged"  # a duplicate, closed into another feedback (`Feedback.merged_into_id`)


OPEN_FEEDBACK_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.RECEIVED,
                          FeedbackStatus.IN_PROGRESS, FeedbackStatus.FORWARDED)
CLOSED_FEEDBACK_STATUSES = (FeedbackStatus.RESOLVED, FeedbackStatus.REJECTED)
"""Closed with an answer: the sender may rate it and reopen it."""
ENDED_FEEDBACK_STATUSES = (*CLOSED_FEEDBACK_STATUSES, FeedbackStatus.MERGED)
"""Closed in any way, merged duplicates too: retention counts from `closed_at`."""


def is_open(status: str) -> bool:
    return status in OPEN_FEEDBACK_STATUSES


class FeedbackEventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"  # an official changed the status (resolve and reject carry the answer)
    ANSWER = "answer"  # an official's reply, relayed to the sender
    FORWARDED = "forwarded"
    ADDITION = "addition"  # the sender added text or photos
    RATED = "rated"
    REOPENED = "reopened"
    MERGED = "merged"  # on the duplicate: closed into the feedback its text names
    MERGED_IN = "merged_in"  # on the survivor: the duplicate its text names was merged into it


class Feedback(SQLModel, table=True):
    """Phản ánh, kiến nghị. Anonymous feedback keeps `reporter_id` only so its sender can follow
    it; nothing shown to officials is ever read from the reporter columns."""

    __table_args__ = (
        # Open311's list (storage/repositories/public_feedback.py): published, newest first.
        Index("ix_feedback_published", "publish", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=24, unique=True)
    status: str = Field(default=FeedbackStatus.NEW, max_length=16, index=True)
    category: str = Field(max_length=32, index=True)
    text: str = Field(max_length=2000)

    reporter_id: int = Field(foreign_key="person.id", index=True)
    anonymous: bool = True
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_phone: str | None = Field(default=None, max_length=20)

    commune_code: str = Field(max_length=16, index=True)
    province_code: str = Field(max_length=16, index=True)
    assigned_unit_code: str = Field(max_length=16, index=True)
    assigned_province_code: str = Field(max_length=16, index=True)
    latitude: float | None = None
    longitude: float | None = None

    created_at: datetime = Field(index=True)
    updated_at: datetime
    first_answered_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    satisfaction_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = None
    reopened_at: datetime | None = None
    reopen_count: int = 0
    merged_into_id: int | None = None
    """A duplicate's surviving feedback (status MERGED); its sender follows that one. Not a
    foreign key, so the column is added without rebuilding the table on SQLite."""
    resolved_by_practice_id: int | None = Field(default=None, index=True)
    """The practice whose mobilisation resolved it, linked by the official who resolved it: the
    practice's public page counts such feedback ("đã giải quyết N phản ánh"), never shows it."""
    publish: bool = False
    """The sender agreed to publish it as open data (Open311, bot/web/open311.py): its text,
    category, status, photos and a place rounded to ~100 m; never who sent it. Default no."""


class FeedbackEvent(SQLModel, table=True):
    """One step in a feedback's life, with who did it and when. The sender's own steps carry no
    person id when the feedback is anonymous."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    kind: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_role: str = Field(max_length=16)  # "reporter" | "official"
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    unit_code: str | None = Field(default=None, max_length=16)
    text: str | None = Field(default=None, max_length=2000)
    rating: int | None = None
    created_at: datetime


class FeedbackFollower(SQLModel, table=True):
    """A person with the same problem as a feedback's sender: they chose to follow it instead of
    sending a duplicate (`via` "offer"), or their own feedback was merged into it ("merge").
    Told of its status changes like the sender, counted on the officials' card ("people
    affected"), never shown to anyone. Erasure and retention cut `person_id` (the count stays)."""

    __table_args__ = (UniqueConstraint("feedback_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    via: str = Field(max_length=16)
    from_feedback_id: int | None = None
    """For "merge": the duplicate that brought this person here."""
    created_at: datetime


class FeedbackPhoto(SQLModel, table=True):
    """A photo of a feedback: sent with it, added later by the sender, or an official's proof."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="feedbackevent.id")
    position: int = 0
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=300)
    mime_type: str = Field(max_length=64)
    size_bytes: int
    channel: str = Field(max_length=16)
    platform_file_id: str | None = Field(default=None, max_length=255)


class FeedbackVoice(SQLModel, table=True):
    """A voice note the sender sent with a feedback or added later: the clean OGG/Opus file the
    media store keeps (re-encoded, no tags; storage/media_audio.py) and how long it plays. Its
    summary, if the sender typed one, is the feedback's or the addition's text."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="feedbackevent.id")
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=300)
    mime_type: str = Field(max_length=64)
    size_bytes: int
    duration_seconds: int
    channel: str = Field(max_length=16)
    platform_file_id: str | None = Field(default=None, max_length=255)


class Invite(SQLModel, table=True):
    """A single-use invitation to become an official of a unit; only the token's hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(default=Role.OFFICIAL, max_length=16)
    level: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: datetime | None = None


class PracticeEventKind(StrEnum):
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECOGNISED = "recognised"
    WITHDRAWN = "withdrawn"


class PracticeEvent(SQLModel, table=True):
    """One step of a practice's review, with who did it, when, and why."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    kind: str = Field(max_length=24)
    actor_id: int = Field(foreign_key="person.id")
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, max_length=2000)
    field_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class PracticeUpdateStatus(StrEnum):
    PENDING = "pending"
    """Waiting for an official's light check."""
    PUBLISHED = "published"
    HIDDEN = "hidden"


class PracticeUpdate(SQLModel, table=True):
    """A dated entry of a living practice's timeline ("cập nhật"): what happened since, with
    photos and a video, added by its submitter or an official of its unit. Public once an
    official publishes it (`status`); the author is never shown, only the date."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    text: str = Field(max_length=2000)
    status: str = Field(default=PracticeUpdateStatus.PENDING, max_length=16, index=True)
    created_at: datetime
    reviewed_by: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: datetime | None = None


class PracticeUpdatePhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="practiceupdate.id", index=True)
    position: int = 0
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=300)
    mime_type: str = Field(max_length=64)
    size_bytes: int
    channel: str = Field(max_length=16)
    platform_file_id: str | None = Field(default=None, max_length=255)


class PracticeVideo(SQLModel, table=True):
    """A short video of a practice (`update_id` None) or of one of its updates: kept clean
    (re-encoded, no metadata) with a poster frame and its length."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    update_id: int | None = Field(default=None, foreign_key="practiceupdate.id", index=True)
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=300)
    poster_path: str = Field(max_length=300)
    mime_type: str = Field(max_length=64)
    size_bytes: int
    duration_seconds: int
    width: int
    height: int
    channel: str = Field(max_length=16)
    platform_file_id: str | None = Field(default=None, max_length=255)


class PracticeReplication(SQLModel, table=True):
    """"Nhân rộng": another collective declares it has adopted a practice, with its commune.
    The practice's page counts and lists them (collective and commune, never who declared);
    one declaration per person and practice (a second one replaces it). An official responsible
    for the practice may hide a wrong or abusive one (`hidden_at`): the public no longer sees or
    counts it, and declaring again does not bring it back; only an official shows it again."""

    __table_args__ = (UniqueConstraint("practice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    collective_name: str = Field(max_length=200)
    commune_code: str = Field(max_length=16, index=True)
    province_code: str = Field(max_length=16)
    created_at: datetime
    hidden_at: datetime | None = None
    hidden_by: int | None = Field(default=None, foreign_key="person.id")


# -- Scheduler: the evaluation calendar and what it has done ---------------------------------


class DeadlineKind(StrEnum):
    """What falls due (seed sections V and VI)."""

    EVALUATION = "evaluation"  # đánh giá, công nhận điển hình
    HONOURING = "honouring"  # biểu dương, tôn vinh
    REPORT_6M = "report_6m"  # báo cáo 6 tháng
    REPORT_ANNUAL = "report_annual"  # báo cáo năm


REPORT_DEADLINE_KINDS = (DeadlineKind.REPORT_6M, DeadlineKind.REPORT_ANNUAL)


class Deadline(SQLModel, table=True):
    """A date of the evaluation calendar: what the officials of a level and scope do by when."""

    id: int | None = Field(default=None, primary_key=True)
    level: str = Field(max_length=16, index=True)
    scope_code: str | None = Field(default=None, max_length=16, index=True)
    """A province or commune code; None means every unit of the level."""
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    due_date: date = Field(index=True)
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime
    updated_at: datetime


class ReminderRunStatus(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class ReminderRun(SQLModel, table=True):
    """One occurrence of a calendar job (a deadline reminder at an offset, a periodic report),
    processed once: its messages went to the outbox, or it was skipped and the note says why."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    fire_at: datetime
    status: str = Field(max_length=16)
    recipients: int = 0
    note: str | None = Field(default=None, max_length=200)
    processed_at: datetime


class ReportRequestStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class ReportRequest(SQLModel, table=True):
    """An official's `/report`, built in the background (scheduler/ondemand_reports.py) and
    sent through the outbox; one left pending by a stopped process is built at the next start."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    level: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=16)
    period: str = Field(max_length=32)
    """Normalised as `dd/mm/yyyy - dd/mm/yyyy`, which `parse_period` reads back."""
    requested_at: datetime
    status: str = Field(default=ReportRequestStatus.PENDING, max_length=16, index=True)
    finished_at: datetime | None = None


# -- One person across channels (handlers/linking.py) -----------------------------------------


class LinkCode(SQLModel, table=True):
    """A one-time code that joins an account on another channel to this person. Only the code's
    SHA-256 is kept; the code itself is shown once, to the person who asked for it."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by_account_id: int | None = Field(default=None, foreign_key="channelaccount.id")


class DeliveryFallback(SQLModel, table=True):
    """An outbox message that failed for good through one of a person's accounts and was sent on
    through another: the record that nothing was silently dropped."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outboxmessage.id", index=True)
    account_id: int = Field(foreign_key="channelaccount.id")
    channel: str = Field(max_length=16)
    error: str = Field(max_length=500)
    created_at: datetime


# -- Zalo Official Account (bot/zalo_oa/) -----------------------------------------------------


class ZaloOAToken(SQLModel, table=True):
    """The OA's OAuth pair. Zalo's refresh token is single-use: each refresh returns a new one,
    written in the same UPDATE as the new access token (storage/repositories/zalo_oa.py), or the
    OA would be locked out until someone grants access again (`dvk oa-auth`)."""

    app_id: str = Field(primary_key=True, max_length=32)
    access_token: str = Field(default="", max_length=2048)
    access_expires_at: datetime | None = None
    refresh_token: str = Field(default="", max_length=2048)
    refresh_expires_at: datetime | None = None
    generation: int = 0
    """One more at every new pair: a refresh claims the generation it read (compare-and-swap)."""
    seed_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 of the ZALO_OA_REFRESH_TOKEN setting this row was seeded from, so a token that
    was used up long ago is never put back, and a new one the operator sets is."""
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    """A refresh in progress (any process): others wait for its result instead of burning the
    refresh token with a second call."""
    problem: str | None = Field(default=None, max_length=500)
    """Why the last refresh was refused (a used or expired refresh token): shown on /healthz."""
    problem_at: datetime | None = None
    refreshed_at: datetime | None = None
    updated_at: datetime


# -- Accountability and personal data (issue 14) ----------------------------------------------


class AuditEntry(SQLModel, table=True):
    """One action of an official or an operator on someone else's data or on the system: who,
    what, which record, when, from which channel. Never the citizen's data itself (no names,
    phones, texts). Append-only: storage/repositories/audit.py has no update or delete, and on
    PostgreSQL and SQLite a trigger refuses both (migration 0015_audit_log)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_id: int | None = Field(default=None, index=True)
    """The official's person id; None for the operator's command line (`channel` "cli"). Not a
    foreign key: an erased person's audit rows stay."""
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=40, index=True)
    record_kind: str = Field(max_length=16)
    record_id: int | None = None
    record_code: str | None = Field(default=None, max_length=24)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    """The unit whose jurisdiction the record lies in (its commune, or a province for
    province-wide records), so `/nhatky` and `dvk audit --unit` can scope by it."""
    province_code: str | None = Field(default=None, max_length=16, index=True)
    channel: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=200)
    """A status, a level, a count: never personal data."""


class ConsentDecision(StrEnum):
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Consent(SQLModel, table=True):
    """A person's answer to the privacy notice (handlers/consent.py): which version, when, on
    which channel. Rows are added, never changed: the latest is the person's current answer."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    version: str = Field(max_length=16)
    decision: str = Field(max_length=16)
    channel: str = Field(max_length=16)
    at: datetime


# -- Spam and abuse (issue 14, item 5) --------------------------------------------------------


class FeedbackFlagKind(StrEnum):
    """Why a feedback may be spam or abuse (handlers/abuse/): shown to officials, never a
    reason to drop it."""

    PROFANITY = "profanity"
    SHORTENER = "shortener"  # a link through a URL shortener (bit.ly, tinyurl.com…)
    REPEATED = "repeated"  # the same text as earlier feedback of the same sender


class FeedbackFlag(SQLModel, table=True):
    """One warning on a feedback, found when it was sent. `detail` says what was found (the
    shortener's host, how many earlier copies): never a word of the sender's identity."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", index=True)
    kind: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=200)
    created_at: datetime


class AccountMute(SQLModel, table=True):
    """An official muted the sender of a feedback for some days: no new feedback meanwhile.
    The person is muted, not one channel account: linked accounts are one person. It ends by
    itself at `ends_at`, or earlier when an official lifts it."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    feedback_id: int | None = Field(default=None, foreign_key="feedback.id")
    """The feedback whose card it was set from: its jurisdiction decides who may lift it."""
    muted_by: int | None = Field(default=None, foreign_key="person.id")
    reason: str = Field(max_length=500)
    """The official's words, for the record; the muted person is told in neutral words."""
    starts_at: datetime
    ends_at: datetime = Field(index=True)
    lifted_at: datetime | None = None
    lifted_by: int | None = Field(default=None, foreign_key="person.id")
    told_at: datetime | None = None
    """When the muted person was told (once, at their next message)."""


class Follow(SQLModel, table=True):
    """A person follows a commune or a province (/theodoi): its weekly digest of newly approved
    and recognised practices, and its officials' announcements. Personal data: exported by
    /dulieucuatoi, erased by /xoadulieu."""

    __table_args__ = (UniqueConstraint("person_id", "unit_code"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_code: str = Field(max_length=16, index=True)
    province_code: str = Field(max_length=16, index=True)
    """The unit's province (itself for a province), so a province's followers are one query."""
    created_at: datetime


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    CANCELLED = "cancelled"


class Announcement(SQLModel, table=True):
    """An official's message to the followers (or everyone who wrote to the bot) of their
    jurisdiction (handlers/officials/announce.py). One outbox row per recipient, keyed
    ``ann:<id>:p<person>``, so progress is counted there and a cancel withdraws what waits."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    level: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    """The jurisdiction it was written for (None: the central level, the whole country)."""
    audience: str = Field(max_length=16)  # "followers" | "everyone"
    text: str = Field(max_length=2000)
    photo_path: str | None = Field(default=None, max_length=300)
    link: str | None = Field(default=None, max_length=500)
    status: str = Field(default=AnnouncementStatus.DRAFT, max_length=16)
    recipients: int = 0
    created_at: datetime
    sent_at: datetime | None = None
    cancelled_at: datetime | None = None


class ConsoleSignInLink(SQLModel, table=True):
    """A one-time link into the officials' web console, asked for with /dangnhap in the chat
    (handlers/officials/console_signin.py). Only its token's hash is kept, so the database
    never holds a usable link; it works once, until `expires_at`."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser of the officials' console (bot/web/console/): the cookie holds a random
    token, this row its hash. It ends after 12 hours unused or 7 days in all, at sign-out, and
    when the person loses their official role."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime
    last_seen_at: datetime


class ConsoleNote(SQLModel, table=True):
    """An internal note on a feedback or a practice, written in the console: officials of the
    record's jurisdiction read it, its sender never does (it is not an event of the record)."""

    __table_args__ = (Index("ix_consolenote_record", "record_kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=16)  # "feedback" | "practice"
    record_id: int
    author_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=2000)
    created_at: datetime


class ReplyTemplate(SQLModel, table=True):
    """A unit's ready answer, picked in the console to fill a reply (then edited if need be)."""

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str | None = Field(default=None, max_length=16, index=True)
    """The unit whose officials use it (None: the central level)."""
    title: str = Field(max_length=100)
    text: str = Field(max_length=2000)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime


class Assignment(SQLModel, table=True):
    """Who of the unit handles a record now (one at a time), set in the console."""

    __table_args__ = (UniqueConstraint("record_kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=16)
    record_id: int
    assignee_id: int = Field(foreign_key="person.id", index=True)
    assigned_by: int = Field(foreign_key="person.id")
    assigned_at: datetime


# -- Levels, nominations and residents' consultations (issue 15, items 3 and 4) ----------------


class Nomination(SQLModel, table=True):
    """A practice recognised at one level, put forward to the next (commune → province →
    centre) with a short justification; it waits in the higher officials' inbox until they
    recognise it (`recognition_id`)."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    from_level: str = Field(max_length=16)
    to_level: str = Field(max_length=16, index=True)
    target_unit_code: str | None = Field(default=None, max_length=16, index=True)
    """The province it goes to; None for the centre."""
    justification: str = Field(max_length=1000)
    nominated_by: int = Field(foreign_key="person.id")
    created_at: datetime
    decided_at: datetime | None = None
    recognition_id: int | None = None


class Consultation(SQLModel, table=True):
    """Lấy ý kiến Nhân dân: residents of a practice's commune asked, for some days, whether
    they agree with it and how satisfied they are. Its result is kept here when it closes."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    commune_code: str = Field(max_length=16, index=True)
    opened_by: int = Field(foreign_key="person.id")
    opened_at: datetime
    closes_at: datetime = Field(index=True)
    closed_at: datetime | None = None
    invited: int = 0
    votes: int | None = None
    """Counted votes (residents of the commune) at closing; None while it is open."""
    agree: int | None = None
    satisfaction_avg: float | None = None
    comments: int | None = None


class ConsultationVote(SQLModel, table=True):
    """One person's answer to a consultation (one per person; answering again changes it),
    counted only when they declared they live in the commune. Officials read the comments,
    never who wrote them."""

    __table_args__ = (UniqueConstraint("consultation_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    agrees: bool
    satisfaction: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)
    resident_of: str | None = Field(default=None, max_length=16)
    updated_at: datetime


class ApiKey(SQLModel, table=True):
    """A partner application's key for filing feedback through Open311 (`dvk apikey create`).
    Only a hash of the key is stored: the key itself is shown once, when it is made. Feedback
    filed with it is sent by `person_id`, a person standing for the partner, never a citizen."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


# -- Criteria: what a practice is assessed against (handlers/criteria.py) ---------------------


class CriteriaSet(SQLModel, table=True):
    """Specific criteria a commune or province issued for recognition at its own level, imported
    by `dvk criteria import`. Each import of a unit is its next version; the latest applies, and
    assessments keep the version they were given against."""

    __table_args__ = (UniqueConstraint("unit_code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(max_length=16, index=True)
    level: str = Field(max_length=16)
    version: int
    label: str = Field(max_length=20)
    """The file's own `version` ("2026.2"), as its authors named it."""
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_name: str = Field(max_length=200)
    imported_at: datetime


class AssessmentKind(StrEnum):
    SELF = "self"
    """By the submitter, before sending (tự đánh giá)."""
    REVIEW = "review"
    """By an official, when approving or recognising."""


class PracticeAssessment(SQLModel, table=True):
    """A practice assessed against the criteria of a level: each criterion's answer (None:
    skipped), the criteria as they were asked (so later versions do not change what was
    answered), and an official's comment."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    kind: str = Field(max_length=16)
    level: str = Field(max_length=16)
    assessor_id: int = Field(foreign_key="person.id")
    practice_status: str = Field(max_length=24)
    """The practice's status when assessed: submitted (approval) or approved/recognised."""
    criteria_version: str = Field(max_length=200)
    criteria: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a table model, for core statements (SQLModel does not declare
    `__table__` to type checkers)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


class _Stored(Protocol):
    id: int | None


def id_of(row: _Stored) -> int:
    """The id of a row already flushed to the database (SQLModel types ids `int | None`,
    because a row not stored yet has none)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} is not stored yet")
    return row.id


def stored_ids(ids: Iterable[int | None]) -> list[int]:
    """Primary keys read back from the database: never None, whatever their column's type."""
    return [id_ for id_ in ids if id_ is not None]
