"""What a conversation remembers between messages, typed: the question on screen, what was
offered, and the draft of the flow in progress (one model per kind of flow).

It is kept as JSON in the conversation row (`Conversation.data`) and read back at the start of
each turn. A row written before these models had the same keys at the top level: it is moved
into place (`_from_flat`). A row that still does not fit (a draft of a flow that changed since)
is not guessed at: the engine starts the person afresh and tells them (`handlers/engine.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

STATE_VERSION: Final = 2
"""1: every key at the top level (before these models); 2: grouped as below."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Question(_Part):
    """The question on screen: presses on buttons of older questions are told apart by token;
    typed text may pick one of its options by label."""

    token: str | None = None
    options: list[str] = []
    labels: dict[str, str] = {}
    free_input: bool = True
    long_text: bool = False
    """Its typed answer may arrive split over several messages (handlers/text_join.py)."""


class SideQuestion(_Part):
    """A question asked in the middle of a flow (handlers/router.py); the flow's question comes
    back once it is answered."""

    kind: str
    token: str
    resume: Question


class HeldText(_Part):
    """Text waiting for its further parts (handlers/text_join.py)."""

    text: str
    at: str
    """ISO instant of the first part."""


class Consultation(_Part):
    """What the consensus consultation offered (handlers/consensus.py): only that is voted."""

    commune: str | None = None
    resident: bool = False
    offered: list[str] = []


class EarlyAnswers(_Part):
    """Answers sent before their question (handlers/early.py)."""

    photos: list[dict[str, Any]] = []
    albums: dict[str, int] = {}
    voice: dict[str, Any] | None = None
    location: dict[str, Any] | None = None


class Scratch(_Part):
    """Working data of the current question only; cleared when the question changes."""

    photos: list[dict[str, Any]] = []
    albums: dict[str, list[int]] = {}
    candidates: list[str] = []
    candidates_formerly: dict[str, str] = {}
    far_commune: str | None = None
    far_location: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None
    """A voice note waiting to be confirmed as the answer (handlers/voice.py)."""
    video: dict[str, Any] | None = None
    """A short video sent at the photo question (a practice and its updates)."""


class FormAnswers(_Part):
    """What every form flow keeps (handlers/flow.py)."""

    answers: dict[str, Any] = {}
    history: list[str] = []
    """The questions answered, in order, for /back."""
    editing: bool = False
    """The question is being changed from the summary: the summary comes next."""
    scratch: Scratch = Field(default_factory=Scratch)
    suggest: dict[str, str] = {}
    """Suggested answers by question (e.g. the commune of the person's last feedback)."""


class CriteriaAnswers(_Part):
    """Answers to criteria while they are asked (handlers/criteria_questions.py): the criteria
    as asked (so a later version of them changes nothing already answered), their version, and
    each answer by criterion code (None: skipped)."""

    version: str = ""
    criteria: list[dict[str, Any]] = []
    scores: dict[str, Any] = {}


class SelfAssessment(CriteriaAnswers):
    """A practice's self-assessment before sending (handlers/self_assessment.py)."""

    before: dict[str, Any] = {}
    """The earlier answers, shown while every criterion is asked again from the summary."""
    redo: bool = False


class FormDraft(FormAnswers):
    """A form: practices, feedback's additions, officials' replies, a leader's edits."""

    kind: Literal["form"] = "form"
    self_assessment: SelfAssessment | None = None
    """A practice's: the submitter's answers to the commune level's criteria."""

    @model_validator(mode="before")
    @classmethod
    def _assessment_from_answers(cls, data: Any) -> Any:
        """A draft that kept the self-assessment among the answers: moved into its place."""
        if (isinstance(data, dict) and isinstance(data.get("answers"), dict)
                and "self_assessment" in data["answers"] and "self_assessment" not in data):
            answers = dict(data["answers"])
            return {**data, "answers": answers,
                    "self_assessment": answers.pop("self_assessment")}
        return data


class FeedbackDraft(FormAnswers):
    """Feedback (handlers/feedback.py): also the similar open feedback it offered to follow."""

    kind: Literal["feedback"] = "feedback"
    duplicates: list[tuple[int, float | None]] = []


class ChangesDraft(FormAnswers):
    """An official asking for changes to a practice (handlers/officials/changes.py)."""

    kind: Literal["changes"] = "changes"
    picked: list[str] = []
    choices: list[str] = []


class AssessmentDraft(FormAnswers):
    """An official's assessment of a practice against their level's criteria
    (handlers/officials/assessment.py); `history` holds the criteria answered, for /back."""

    kind: Literal["assessment"] = "assessment"
    level: str = ""
    assessment: CriteriaAnswers = Field(default_factory=CriteriaAnswers)


Draft = Annotated[FormDraft | FeedbackDraft | ChangesDraft | AssessmentDraft,
                  Field(discriminator="kind")]
D = TypeVar("D", bound=FormAnswers)


class ConversationState(_Part):
    version: Literal[2] = STATE_VERSION
    seq: int = 0
    """Questions asked so far (never reset), so old buttons stay recognisably old."""
    question: Question = Field(default_factory=Question)
    actions: dict[str, str] = {}
    """Action buttons last offered ({payload: label}); a typed number or label picks one. The
    outbox offers a notice's actions too (storage/repositories/offered_actions.py)."""
    menu: list[str] | None = None
    """The menu entries last shown, so a typed label picks one of them."""
    side: SideQuestion | None = None
    held: HeldText | None = None
    early: EarlyAnswers = Field(default_factory=EarlyAnswers)
    consent_for: str | None = None
    """The personal question asked once the privacy notice is answered."""
    target: int | None = None
    """The item a targeted form is about (handlers/targeted.py)."""
    link_failures: list[str] = []
    """ISO instants of wrong /link codes: a brute-force limit that outlives flows."""
    consultation: Consultation | None = None
    draft: Draft = Field(default_factory=FormDraft)

    @model_validator(mode="before")
    @classmethod
    def _from_flat(cls, data: Any) -> Any:
        """A row from before these models (every key at the top level) moved into place."""
        if not isinstance(data, dict) or {"version", "question", "draft"} & data.keys():
            return data  # already grouped (a stored row, or built in code)
        flat = dict(data)
        question = {key: flat.pop(key) for key in
                    ("token", "options", "labels", "free_input", "long_text") if key in flat}
        draft = {"kind": "form"} | {key: flat.pop(key) for key in
                                    ("answers", "history", "editing", "scratch", "suggest")
                                    if key in flat}
        if "duplicates" in flat:
            draft |= {"kind": "feedback", "duplicates": flat.pop("duplicates")}
        if "picked" in flat or "choices" in flat:
            draft |= {"kind": "changes", "picked": flat.pop("picked", []),
                      "choices": flat.pop("choices", [])}
        if "held_text" in flat:
            flat["held"] = flat.pop("held_text")
        if isinstance(side := flat.get("side"), dict) and "resume" in side:
            flat["side"] = {**side, "resume": {k: v for k, v in (side["resume"] or {}).items()
                                               if v is not None}}
        return {**flat, "version": STATE_VERSION, "question": question, "draft": draft}

    @classmethod
    def load(cls, data: dict[str, Any]) -> ConversationState:
        """The state of a conversation row; ValueError when it fits no model (see module)."""
        return cls.model_validate(data)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=False)

    def has_answers(self) -> bool:
        return bool(self.draft.answers)

    def draft_as(self, kind: type[D]) -> D:
        """The draft, as the model the flow in progress uses (it set it when it started)."""
        if not isinstance(self.draft, kind):
            raise TypeError(f"the draft is a {type(self.draft).__name__}, not a {kind.__name__}")
        return self.draft


def has_draft_answers(data: dict[str, Any]) -> bool:
    """Whether a conversation row holds answers typed into a draft (what a reminder recalls);
    a row no model reads holds nothing the person could continue."""
    try:
        return ConversationState.load(data).has_answers()
    except ValueError:
        return False
