"""What a flow step gets to work with: who is speaking, where they are, and the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.clock import Clock
from handlers.criteria import Catalogue, builtin_catalogue
from handlers.events import Event
from handlers.i18n import Capabilities, Translator
from handlers.replies import ACTION_TOKEN, Notice, Option, Reply
from handlers.state import ConversationState, FormAnswers, Question, Scratch
from storage.media import MediaStore
from storage.models import ChannelAccount, Conversation, Person
from storage.units import UnitDirectory

if TYPE_CHECKING:
    from handlers.commands import Features


@dataclass
class Services:
    """Long-lived collaborators shared by every update; created once at start-up."""

    clock: Clock
    units: UnitDirectory
    media: MediaStore
    tz: ZoneInfo
    default_language: str = "vi"
    draft_resume_after: timedelta = timedelta(hours=12)
    retention_days: int = 365
    messages_per_minute: int = 30
    """Per account, on every channel (handlers/flood.py)."""
    feedback_per_day: int = 5
    """New feedback one person may send in 24 hours."""
    guides_url: str = "/huong-dan/"
    """Where the printable guides are on the web (bot/web/guides.py); the help links them."""
    console_url: str = "/console/"
    """Where the officials' web console is (bot/web/console/); /dangnhap links into it."""
    """Personal data of closed feedback is erased this long after closing (the notice says so)."""
    duplicate_radius_m: int = 150
    consultation_days: int = 14
    """How long a residents' consultation stays open unless the official says otherwise."""
    """Open feedback pinned this close to a new one is offered to follow (handlers/duplicates)."""
    features: Features = field(default=None)  # type: ignore[assignment]
    text_join_window: timedelta = timedelta(0)
    """How long a text answer waits for a further part (handlers/text_join.py); 0: none."""
    criteria: Catalogue = field(default_factory=builtin_catalogue)
    """The criteria that ship with the product, or CRITERIA_DIR's (handlers/criteria.py)."""
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    """What each channel offers (by its name), so texts name the actions it has; channels
    declare it (bot/channels/base.py) and the app fills this in."""


@dataclass
class Context:
    session: AsyncSession
    services: Services
    account: ChannelAccount
    person: Person
    conversation: Conversation
    event: Event
    t: Translator
    notices: list[Notice] = field(default_factory=list)
    mute_told: bool = False
    """Set when this turn told the person of their mute (handlers/abuse/muting.py)."""
    rights_gained: bool = False
    """Set by a step that gave this chat's person more rights (see `RightsGained`)."""
    can_hold: bool = False
    """The channel can send an answer later, so a text may wait for its further parts."""
    held_until: datetime | None = None
    """A text is held until then (handlers/text_join.py): the engine sets a timer."""
    state: ConversationState = field(default_factory=ConversationState)
    """The conversation's state, read from its row; the engine stores it with the turn."""

    @property
    def features(self) -> Features:
        return self.services.features

    @property
    def units(self) -> UnitDirectory:
        return self.services.units

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.services.tz)

    @property
    def draft(self) -> FormAnswers:
        """The draft of the flow in progress (an empty form outside flows)."""
        return self.state.draft

    @property
    def scratch(self) -> Scratch:
        """Working data of the current step only; cleared when the step changes."""
        return self.state.draft.scratch

    @property
    def answers(self) -> dict[str, Any]:
        return self.state.draft.answers

    def notify(self, person_id: int, key: str, replies: list[Reply]) -> None:
        """Queue replies for another person; they leave with this update's transaction."""
        self.notices.append(Notice(person_id, key, replies))

    def offer_actions(self, options: Sequence[Option]) -> str:
        """Action buttons on an item; typed numbers or labels pick them on text-only channels."""
        self.state.actions = {o.value: o.label for o in options}
        return ACTION_TOKEN

    def issue_token(self, options: Sequence[Option], *, free_input: bool,
                    long_text: bool = False) -> str:
        """Name a new question, so presses on buttons of older questions can be told apart.
        `long_text`: its typed answer may arrive split over several messages, to be joined
        (handlers/text_join.py)."""
        self.state.seq += 1
        token = f"q{self.state.seq:x}"  # never ACTION_TOKEN or MENU_TOKEN
        self.state.question = Question(token=token, options=[o.value for o in options],
                                       labels={o.value: o.label for o in options},
                                       free_input=free_input, long_text=long_text)
        return token
