"""Forms as data: the questions a flow asks, their types, limits and conditions.

A province can add or reword questions by editing a declaration (or a JSON file read into
`FieldSpec.from_dict`), never the flow code. Prompts and labels are translation keys derived
from the form and field names, unless a field carries its own literal text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"  # a whole number of đồng, written as people write sums
    CHOICE = "choice"
    UNIT = "unit"
    LOCATION = "location"
    PHOTOS = "photos"
    PHONE = "phone"
    DATE = "date"  # a day as people write it (dd/mm/yyyy), kept as ISO "yyyy-mm-dd"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    required: bool = True
    max_length: int = 500
    min_value: int = 0
    max_value: int = 10**12
    options: tuple[str, ...] = ()
    min_items: int = 1
    max_items: int = 10
    when: tuple[str, str] | None = None
    """Ask only when an earlier answer equals a value: ``("submitter_kind", "collective")``."""
    unless: str | None = None
    """Do not ask when this answer is truthy: a fact the flow records when it starts (the
    feedback form asks for a name only where the channel gives none, ``"named_by_channel"``)."""
    personal: bool = False
    """The answer is personal data (a name, a phone, a photo, a place): the privacy notice is
    shown before it to anyone who has not agreed to it (handlers/consent.py)."""
    text: dict[str, str] = field(default_factory=dict)
    """Literal prompts per language (``{"vi": "...", "en": "..."}``) for configured questions."""
    video: bool = False
    """A photos question that also takes one short video (kept as the answer `video`)."""
    voice: bool = False
    """A text question a voice note may answer (handlers/voice.py): the note is kept beside
    the answer (`voice_answer`), and the text becomes an optional one-line summary."""

    @property
    def voice_answer(self) -> str:
        """Where a voice note answering this question is kept among the answers."""
        return f"{self.name}_voice"

    def applies(self, answers: dict[str, Any]) -> bool:
        if self.unless and answers.get(self.unless):
            return False
        if self.when is None:
            return True
        other, expected = self.when
        return answers.get(other) == expected

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FieldSpec:
        data = dict(raw)
        data["kind"] = Kind(data["kind"])
        for key in ("options", "when"):
            if key in data and data[key] is not None:
                data[key] = tuple(data[key])
        return cls(**data)


@dataclass(frozen=True)
class Form:
    name: str
    fields: tuple[FieldSpec, ...]
    without_personal_data: dict[str, Any] | None = None
    """Answers that make the form anonymous, used when the person declines the privacy
    notice; None: the form cannot be sent without personal data."""

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(spec.name == name for spec in self.fields)

    def applicable(self, answers: dict[str, Any]) -> list[FieldSpec]:
        return [spec for spec in self.fields if spec.applies(answers)]

    def counted(self, answers: dict[str, Any]) -> list[str]:
        """The questions this person will be asked: those that apply, and those that hang on an
        answer not given yet counted once for all their alternatives."""
        counted: list[str] = []
        waiting_on: set[str] = set()
        for other in self.fields:
            if other.applies(answers):
                counted.append(other.name)
            elif (other.when and other.when[0] not in answers and other.when[0] not in waiting_on
                  and not (other.unless and answers.get(other.unless))):
                waiting_on.add(other.when[0])
                counted.append(other.name)
        return counted

    def progress(self, spec: FieldSpec, answers: dict[str, Any]) -> tuple[int, int] | None:
        """Which question `spec` is, of how many (see `counted`)."""
        counted = self.counted(answers)
        if spec.name not in counted:
            return None
        return counted.index(spec.name) + 1, len(counted)

    def next_unanswered(
        self, answers: dict[str, Any], after: str | None = None
    ) -> FieldSpec | None:
        """The next field to ask, in declaration order, skipping answered and inapplicable ones."""
        names = [spec.name for spec in self.fields]
        start = names.index(after) + 1 if after in names else 0
        for spec in self.fields[start:]:
            if spec.applies(answers) and spec.name not in answers:
                return spec
        return None

    def extended(self, extra: tuple[FieldSpec, ...], *, before: str | None = None) -> Form:
        """This form with configured questions inserted before a field (or at the end)."""
        if before is None:
            return replace(self, fields=self.fields + extra)
        index = [spec.name for spec in self.fields].index(before)
        return replace(self, fields=self.fields[:index] + extra + self.fields[index:])
