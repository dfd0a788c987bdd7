"""What the public map and its API may show: the public shapes of practices, never table rows.

Every field here is public by decision. A practice's submitter (person, account, an individual's
name), its raw `answers` and anything about feedback have no place in these shapes, so no
query in `storage/repositories/public_map.py` can hand them to the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Field, SQLModel


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class MapFilters:
    """What the map asks for. `submitted_from`/`submitted_before` carry the year filter, already
    turned into UTC instants in the local time zone by the caller."""

    bbox: BBox | None = None
    field: str | None = None
    level: str | None = None
    province_code: str | None = None
    commune_code: str | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    query: str | None = None
    priority: str | None = None
    """An "Ưu tiên" flag: new_practice or hard_task (a practice saying "both" has each), or a
    difficult area (remote, border, island, ethnic_minority)."""


class PracticePoint(SQLModel):
    code: str
    title: str
    field: str
    level: str | None
    latitude: float
    longitude: float
    approximate: bool


class ClusterCell(SQLModel):
    """Practices aggregated into one grid cell when a view holds too many to send one by one."""

    count: int
    latitude: float
    longitude: float


class PhotoPublic(SQLModel):
    id: int
    position: int


class RecognitionPublic(SQLModel):
    level: str
    unit_code: str | None
    recognised_at: datetime
    valid_until: datetime
    year: int | None = Field(default=None, description="The cycle year it counts for")
    decision_number: str | None = Field(
        default=None, description="The decision's number as the official typed it; null if "
                                  "not given")
    decision_date: date | None = Field(default=None, description="The decision's date; null "
                                                                 "if not given")
    consulted: bool = Field(default=False, description="Made with the result of a closed "
                                                       "residents' consultation")


class ConsultationPublic(SQLModel):
    """A residents' consultation (lấy ý kiến Nhân dân) on the practice: counts only, never who
    answered nor what they wrote. Counted: one answer per person, from residents of the
    practice's commune."""

    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None = Field(description="null while it is open")
    votes: int | None = Field(description="Answers counted at closing; null while open")
    agree: int | None
    disagree: int | None
    satisfaction_avg: float | None = Field(description="Mean satisfaction (1-5) at closing")
    comments: int | None = Field(description="How many counted answers carried a comment "
                                             "(read by officials only)")


class ConsensusPublic(SQLModel):
    """Citizens' consensus (sự đồng thuận): counts only, never who voted. Only the votes that
    count are counted ("N phiếu được tính"): one per person, cast through the consultation the
    bot offered them from a Telegram or Zalo account, by someone who declared they live in the
    practice's commune."""

    votes: int = Field(default=0, description="Votes counted (one per person; residents of "
                       "the practice's commune, voting from Telegram or Zalo)")
    agree: int = Field(default=0, description="Counted votes that agree")
    disagree: int = Field(default=0, description="Counted votes that do not agree yet")
    satisfaction_avg: float | None = Field(default=None, description="Mean satisfaction "
                                           "(1-5) of the counted votes")


class VideoPublic(SQLModel):
    """A short video, re-encoded without metadata (MP4, H.264 + AAC), with a poster frame."""

    id: int
    duration_seconds: int
    width: int
    height: int
    url: str = Field(description="The MP4; served with HTTP range requests")
    poster_url: str = Field(description="The poster frame (JPEG)")


class UpdatePhotoPublic(SQLModel):
    id: int
    thumb_url: str
    large_url: str


class UpdatePublic(SQLModel):
    """One dated entry of the practice's timeline, published after an official's check. Who
    wrote it is never shown."""

    date: datetime = Field(description="When it was sent")
    text: str
    photos: list[UpdatePhotoPublic]
    video: VideoPublic | None = None


class ReplicationPublic(SQLModel):
    """A collective that declared it adopted the practice ("nhân rộng"): its name and commune,
    never the person who declared it."""

    collective_name: str
    commune_code: str
    province_code: str
    declared_at: datetime
    latitude: float | None = Field(default=None, description="Approximate: near the centre "
                                   "of its province (communes have no coordinates here)")
    longitude: float | None = None


class CriterionScorePublic(SQLModel):
    code: str = Field(description="The criterion's code in its criteria set")
    text: str = Field(description="The criterion, in Vietnamese")
    kind: str = Field(description="yes_no, scale (1-5), number (with `unit`) or text")
    unit: str | None = Field(default=None, description="What a number counts (\"tháng\")")
    value: bool | int | str | None = Field(
        default=None, description="The answer: true/false, 1-5, a number, a text; null when "
                                  "the criterion (optional) was skipped")


class AssessmentPublic(SQLModel):
    """A practice assessed against criteria: by its submitter before sending, or the scores
    officials of a level gave. Officials' comments and who scored are never published."""

    by: str = Field(description="self (the submitter's self-assessment), or the level whose "
                                "officials scored: commune, province, central")
    criteria_version: str = Field(description="The criteria sets the answers were given "
                                              "against, with their versions")
    assessed_at: datetime
    scores: list[CriterionScorePublic]


class PracticePublic(SQLModel):
    code: str
    status: str
    title: str
    field: str
    submitter_kind: str
    submitter_type: str
    collective_name: str | None
    """The collective's name (a village, a club…); None for an individual: their name is
    private."""
    description: str
    clear_who: str
    clear_what: str
    clear_when: str
    clear_responsibility: str
    clear_product: str
    clear_authority: str
    people_mobilised: int
    organisations_taking_part: int | None = Field(
        description="Organisations (enterprises, unions, associations…) taking part; null when "
                    "the submitter did not say")
    contribution_workdays: int | None = Field(
        description="Workdays residents contributed; null when not declared")
    contribution_money_vnd: int | None = Field(
        description="Money raised, in đồng (VND), as a whole number; null when not declared")
    contribution_money_words: str | None = Field(
        description="The same sum in Vietnamese words, as the bot confirmed it to the "
                    "submitter (\"hai trăm triệu đồng\"); null when not declared")
    contribution_other: str | None = Field(
        description="Other contributions (land, materials, goods…), as typed; null when none")
    results: str
    village: str
    commune_code: str
    province_code: str
    latitude: float | None
    longitude: float | None
    approximate: bool
    submitted_at: datetime
    level: str | None = Field(description="The highest level it is recognised at")
    photos: list[PhotoPublic]
    recognitions: list[RecognitionPublic] = Field(
        description="Its recognitions, oldest first: the history up the levels")
    consensus: ConsensusPublic
    video: VideoPublic | None = Field(default=None,
                                      description="The video sent with the practice, if any")
    updates: list[UpdatePublic] = Field(
        default_factory=list, description="The timeline: published updates, oldest first")
    replications: list[ReplicationPublic] = Field(
        default_factory=list, description="Collectives that declared they adopted it, "
                                          "newest first")
    replication_count: int = Field(default=0, description="How many collectives adopted it")
    feedback_resolved: int = Field(
        default=0, description="How much citizens' feedback (phản ánh) officials resolved "
                               "through this practice's mobilisation; never their contents")
    assessments: list[AssessmentPublic] = Field(
        default_factory=list, description="The submitter's self-assessment against the "
        "criteria, then the latest scores of each official level (never their comments)")
    consultations: list[ConsultationPublic] = Field(default_factory=list)
    priority_task: str | None = Field(
        default=None, description="\"Ưu tiên\": new_practice, hard_task or both; null if not said")
    difficult_area: str | None = Field(
        default=None, description="\"Ưu tiên\" by place: remote, border, island or "
                                  "ethnic_minority; null if not said")


class PublicVideoFile(SQLModel):
    path: str
    poster_path: str


class PublicPhotoFile(SQLModel):
    path: str
    sha256: str
    mime_type: str
    recognised: bool = False
    """The practice is recognised: journalists may download the photo in high quality."""


class RecognisedItem(SQLModel):
    """One recognition of a public practice, as the press feed tells it."""

    recognition_id: int
    level: str
    unit_code: str | None
    recognised_at: datetime
    code: str
    title: str
    description: str
    field: str
    collective_name: str | None
    village: str | None
    commune_code: str
    province_code: str
    photo_id: int | None


@dataclass(frozen=True)
class FeedbackFilters:
    """What an Open311 client asks of published feedback (GET requests.json)."""

    codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    """Our statuses (storage.models.FeedbackStatus) to include; empty: all."""
    created_from: datetime | None = None
    created_before: datetime | None = None
    bbox: BBox | None = None
    limit: int = 1000


class FeedbackPublic(SQLModel):
    """A feedback its sender agreed to publish, as open data may show it: never who sent it
    (no person, account, name or phone, named or anonymous alike), the place rounded to
    ~100 m, phone numbers and e-mail addresses typed in the text masked, only the photos sent
    with it (served as clean copies)."""

    code: str
    status: str
    category: str
    text: str
    commune_code: str
    province_code: str
    assigned_unit_code: str
    latitude: float | None
    longitude: float | None
    created_at: datetime
    updated_at: datetime
    photo_ids: list[int]
