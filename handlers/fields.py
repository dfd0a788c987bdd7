"""How each kind of form field is asked, and how an answer to it is checked.

`prompt` builds the question; `accept` turns one event into an outcome: an answer, a reason to
ask again, or an interim reply while the field is still being filled (candidate communes, photos
so far). Nothing here knows which app the person uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handlers import places
from handlers.context import Context
from handlers.events import (
    ChoiceEvent,
    ContactEvent,
    Event,
    LocationEvent,
    PhotoEvent,
    TextEvent,
    UnsupportedEvent,
    VideoEvent,
    VoiceEvent,
)
from handlers.forms import FieldSpec, Form, Kind
from handlers.geo import parse_coordinates
from handlers.numbers import NotANumber, grouped, in_words, parse_count, parse_money
from handlers.options import SKIP, match_option
from handlers.phone import normalise_vn_phone
from handlers.replies import Ask, Option, Reply, TextReply

DONE = "__done__"
CLEAR = "__clear__"


@dataclass(frozen=True)
class Accepted:
    value: Any
    note: str | None = None
    also: dict[str, Any] = field(default_factory=dict)
    """Other answers this one sets (None: removes), such as the voice note beside a text."""


@dataclass(frozen=True)
class Invalid:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    replies: list[Reply]


Outcome = Accepted | Invalid | Pending


LONG_FORM = 6
"""Forms of at least this many questions show progress ("bước 7/24") with each question."""


def question_text(ctx: Context, form: Form, spec: FieldSpec) -> str:
    if spec.text:
        return spec.text.get(ctx.t.language) or next(iter(spec.text.values()))
    text = ctx.t(f"{form.name}.{spec.name}.ask")
    hints = []
    # A long form says how far along the person is, so 24 questions do not feel endless.
    if len(form.fields) >= LONG_FORM and (at := form.progress(spec, ctx.answers)):
        hints.append(ctx.t("hint.progress", step=at[0], total=at[1]))
    if spec.kind is Kind.TEXT:
        hints.append(ctx.t("hint.max_chars", max=spec.max_length))
    if spec.voice:
        hints.append(ctx.t("hint.voice", **voice_limits(ctx)))
    if spec.video:
        hints.append(ctx.t("hint.video", **video_limits(ctx)) if receives_video(ctx)
                     else ctx.t("hint.video_link"))
    if not spec.required:
        hints.append(ctx.t("hint.optional"))
    return f"{text}\n({'; '.join(hints)})" if hints else text


def voice_limits(ctx: Context) -> dict[str, str]:
    """The voice note caps as a person reads them: "2 phút", "2 MB"."""
    media = ctx.services.media
    seconds = media.max_voice_seconds
    length = (ctx.t("voice.minutes", count=seconds // 60) if seconds % 60 == 0
              else ctx.t("voice.seconds", count=seconds))
    megabytes = f"{media.max_voice_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    if ctx.t.language == "vi":
        megabytes = megabytes.replace(".", ",")
    return {"length": length, "size": f"{megabytes} MB"}


def receives_video(ctx: Context) -> bool:
    """Whether the person's app hands their videos to the bot (Zalo Bot does not)."""
    capabilities = ctx.t.capabilities
    return capabilities is None or capabilities.receives_video


def video_limits(ctx: Context) -> dict[str, str]:
    """The video caps as a person reads them: "3 phút", "20 MB"."""
    media = ctx.services.media
    seconds = media.max_video_seconds
    length = (ctx.t("voice.minutes", count=seconds // 60) if seconds % 60 == 0
              else ctx.t("voice.seconds", count=seconds))
    megabytes = f"{media.max_video_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    if ctx.t.language == "vi":
        megabytes = megabytes.replace(".", ",")
    return {"video_length": length, "video_size": f"{megabytes} MB"}


def option_label(ctx: Context, spec: FieldSpec, value: str) -> str:
    return ctx.t(f"option.{spec.name}.{value}")


async def prompt(
    ctx: Context, form: Form, spec: FieldSpec, *, lead: str | None = None
) -> list[Reply]:
    text = question_text(ctx, form, spec)
    options: list[Option] = []
    ask: Ask | None = None
    ask_label = None
    free_input = spec.kind in (Kind.TEXT, Kind.NUMBER, Kind.MONEY, Kind.UNIT, Kind.PHONE,
                              Kind.LOCATION, Kind.DATE)
    if spec.kind is Kind.CHOICE:
        options = [Option(option_label(ctx, spec, v), v) for v in spec.options]
    elif spec.kind is Kind.PHOTOS:
        photos = ctx.scratch.photos
        text += "\n" + _progress(ctx, spec)
        if photos or ctx.scratch.video:
            options = [Option(ctx.t("common.done"), DONE), Option(ctx.t("photos.clear"), CLEAR)]
        elif spec.min_items == 0:
            options = [Option(ctx.t("photos.none"), DONE)]
        free_input = True
    elif spec.kind is Kind.LOCATION:
        ask, ask_label = Ask.LOCATION, ctx.t("location.button")
    elif spec.kind is Kind.PHONE:
        ask, ask_label = Ask.CONTACT, ctx.t("phone.button")
    elif spec.kind is Kind.UNIT and ctx.scratch.candidates:
        formerly = ctx.scratch.candidates_formerly
        options = [Option(_unit_label(ctx, code, formerly.get(code)), code)
                   for code in ctx.scratch.candidates]
        text = ctx.t("unit.pick", count=len(options))
        free_input = False
    elif spec.kind is Kind.UNIT and (suggested := ctx.units.get(
            ctx.draft.suggest.get(spec.name) or "")):
        # A flow may offer the unit this person named last time, beside typing a new one.
        options = [Option(ctx.t("unit.suggested", label=suggested.label), suggested.code)]
    if not spec.required and spec.kind is not Kind.PHOTOS:
        options.append(Option(ctx.t("location.skip" if spec.kind is Kind.LOCATION
                                    else "common.skip"), SKIP))
    if lead:
        text = f"{lead}\n\n{text}"
    token = ctx.issue_token(options, free_input=free_input, long_text=spec.kind is Kind.TEXT)
    return [TextReply(text, tuple(options), token=token, ask=ask, ask_label=ask_label,
                      free_input=free_input)]


async def accept(ctx: Context, form: Form, spec: FieldSpec, event: Event) -> Outcome:
    picked = resolve_option(ctx, event)
    if isinstance(picked, Invalid):
        return picked
    if picked == SKIP and not spec.required:
        return Accepted(None)
    if isinstance(event, UnsupportedEvent) and event.what == "other" and spec.video and \
            not receives_video(ctx):  # most likely a video the platform would not pass on
        return Invalid("error.unsupported.other_video")
    if isinstance(event, UnsupportedEvent):
        return Invalid(f"error.unsupported.{event.what}",
                       {**voice_limits(ctx), **video_limits(ctx)})
    if isinstance(event, VideoEvent) and not spec.video:
        return Invalid("error.unsupported.video", video_limits(ctx))
    if isinstance(event, VoiceEvent):  # a question no voice note answers (handlers/voice.py)
        return Invalid("error.unsupported.voice")
    handler = _ACCEPTORS[spec.kind]
    return await handler(ctx, form, spec, event, picked)


def resolve_option(ctx: Context, event: Event) -> str | Invalid | None:
    """The option an event picks on the current question, if any.

    A button press must carry the current question's token and one of its values; anything else
    is a stale or forged button. Typed text may also pick an option, by its number or label.
    """
    current = ctx.state.question.options
    if isinstance(event, ChoiceEvent):
        if event.token != ctx.state.question.token or event.value not in current:
            return Invalid("error.stale_button")
        return event.value
    if isinstance(event, TextEvent) and current:
        labels = ctx.state.question.labels
        loose = not ctx.state.question.free_input
        return match_option(event.text, [(v, labels.get(v, v)) for v in current], loose=loose)
    return None


async def _accept_text(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                       picked: str | None) -> Outcome:
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_text")
    text = event.text.strip()
    if not text:
        return Invalid("error.empty")
    if len(text) > spec.max_length:
        return Invalid("error.too_long", {"length": len(text), "max": spec.max_length})
    return Accepted(text)


async def _accept_number(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                         picked: str | None) -> Outcome:
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_number")
    value = parse_count(event.text)
    if isinstance(value, NotANumber):
        return Invalid(value.value)
    if not spec.min_value <= value <= spec.max_value:
        return Invalid("error.number_range", {"min": grouped(spec.min_value),
                                              "max": grouped(spec.max_value)})
    return Accepted(value)


_DAY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")


async def _accept_date(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                       picked: str | None) -> Outcome:
    """dd/mm/yyyy (or with dots or dashes), between 2000 and 2100: a decision's date."""
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_date")
    match = _DAY.match(event.text.strip())
    if match is None:
        return Invalid("error.expect_date")
    try:
        day = date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return Invalid("error.expect_date")
    if not 2000 <= day.year <= 2100:
        return Invalid("error.expect_date")
    return Accepted(day.isoformat())


async def _accept_money(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                        picked: str | None) -> Outcome:
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_money")
    value = parse_money(event.text)
    if isinstance(value, NotANumber):
        return Invalid("error.expect_money" if value is NotANumber.OTHER else value.value)
    if not spec.min_value <= value <= spec.max_value:
        return Invalid("error.number_range", {"min": grouped(spec.min_value),
                                              "max": grouped(spec.max_value)})
    # Said back in words, so "200" meant as "200 triệu" is caught before it is sent.
    return Accepted(value, note=ctx.t("money.understood", amount=grouped(value),
                                      words=in_words(value)))


async def _accept_choice(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                         picked: str | None) -> Outcome:
    if picked in spec.options:
        return Accepted(picked)
    return Invalid("error.pick_option")


async def _accept_unit(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                       picked: str | None) -> Outcome:
    far, ctx.scratch.far_commune = ctx.scratch.far_commune, None
    if far and picked in (places.KEEP, places.DROP):
        if picked == places.DROP and (location := _location_spec(form)):
            ctx.answers[location.name] = None
        return Accepted(far, note=ctx.t("unit.chosen", label=_unit_label(ctx, far, None)))
    if picked and picked != SKIP and (unit := ctx.units.get(picked)):
        return _checked_commune(ctx, form, picked, unit.label)
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_unit")
    query = event.text.strip()
    if len(query) < 2 or len(query) > 120:
        return Invalid("error.unit_query")
    found = ctx.units.search_matches(query, kind="commune", limit=8)
    if not found:
        return Invalid("error.unit_not_found", {"query": query[:60]})
    if len(found) == 1:
        formerly = found[0].formerly
        label = _unit_label(ctx, found[0].unit.code, formerly.label if formerly else None)
        return _checked_commune(ctx, form, found[0].unit.code, label)
    ctx.scratch.candidates = [match.unit.code for match in found]
    # Found by the name a commune had before 2025: say so, or the list looks unrelated.
    ctx.scratch.candidates_formerly = {
        match.unit.code: match.formerly.label for match in found if match.formerly}
    return Pending(await prompt(ctx, form, spec))


def _checked_commune(ctx: Context, form: Form, code: str, label: str) -> Outcome:
    """A commune chosen after a pin was sent: a pin in another province is questioned."""
    location_spec = _location_spec(form)
    location = ctx.answers.get(location_spec.name) if location_spec else None
    if location and (province := places.far_from_commune(ctx, location, code)):
        ctx.scratch.far_commune = code
        return Pending([places.confirm_far(ctx, province, keep="location.keep_both",
                                           other=("location.drop", places.DROP))])
    return Accepted(code, note=ctx.t("unit.chosen", label=label))


def _location_spec(form: Form) -> FieldSpec | None:
    return next((spec for spec in form.fields if spec.kind is Kind.LOCATION), None)


def _commune_answer(ctx: Context, form: Form) -> str | None:
    unit = next((spec for spec in form.fields if spec.kind is Kind.UNIT), None)
    return ctx.answers.get(unit.name) if unit else None


def _unit_label(ctx: Context, code: str, formerly: str | None) -> str:
    unit = ctx.units.get(code)
    label = unit.label if unit else code  # a code the directory no longer has
    return ctx.t("unit.formerly", label=label, former=formerly) if formerly else label


async def _accept_location(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                           picked: str | None) -> Outcome:
    far, ctx.scratch.far_location = ctx.scratch.far_location, None
    if far and picked == places.KEEP:
        return Accepted(far, note=ctx.t("location.understood", place=places.describe(ctx, far)))
    if far and picked == places.AGAIN:
        return Pending(await prompt(ctx, form, spec, lead=ctx.t("location.send_again")))
    if isinstance(event, LocationEvent):
        location = {"lat": event.latitude, "lon": event.longitude, "title": event.title}
    elif isinstance(event, TextEvent) and (coords := parse_coordinates(event.text)):
        location = {"lat": coords[0], "lon": coords[1], "title": None}
    else:
        return Invalid("error.expect_location")
    return await accept_location(ctx, form, spec, location)


async def accept_location(ctx: Context, form: Form, spec: FieldSpec,
                          location: dict[str, Any]) -> Outcome:
    """A place, however it came (a pin, a link, typed, or sent before its question): said back
    with the nearest commune, or questioned when it lies outside the chosen commune's province."""
    commune = _commune_answer(ctx, form)
    if commune and (province := places.far_from_commune(ctx, location, commune)):
        ctx.scratch.far_location = location
        return Pending([places.confirm_far(ctx, province, keep="location.keep",
                                           other=("location.again", places.AGAIN))])
    return Accepted(location, note=ctx.t("location.understood",
                                         place=places.describe(ctx, location)))


async def _accept_phone(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                        picked: str | None) -> Outcome:
    if isinstance(event, ContactEvent):
        if not event.is_own:
            return Invalid("error.contact_not_own")
        raw = event.phone
    elif isinstance(event, TextEvent):
        raw = event.text
    else:
        return Invalid("error.expect_phone")
    phone = normalise_vn_phone(raw)
    return Accepted(phone) if phone else Invalid("error.bad_phone")


async def _accept_photos(ctx: Context, form: Form, spec: FieldSpec, event: Event,
                         picked: str | None) -> Outcome:
    photos = ctx.scratch.photos
    if picked == CLEAR:
        photos.clear()
        ctx.scratch.video = None
        return Pending(await prompt(ctx, form, spec, lead=ctx.t("photos.cleared")))
    if picked == DONE:
        if len(photos) < spec.min_items:
            return Invalid("error.need_photo")
        also = {"video": ctx.scratch.video} if spec.video else {}
        return Accepted(list(photos), also=also)
    if isinstance(event, VideoEvent) and spec.video:
        replaced = ctx.scratch.video is not None
        ctx.scratch.video = video_record(event)
        seconds = int(event.media.duration_seconds or 0)
        return Pending(await _photos_progress(ctx, spec, ctx.t(
            "video.replaced" if replaced else "video.received",
            length=f"{seconds // 60}:{seconds % 60:02d}")))
    if isinstance(event, VideoEvent):
        return Invalid("error.unsupported.video", video_limits(ctx))
    if not isinstance(event, PhotoEvent):
        return Invalid("error.expect_photo")
    kept = len(photos) < spec.max_items and all(p["sha256"] != event.media.sha256 for p in photos)
    full = len(photos) >= spec.max_items
    if kept:
        photos.append(photo_record(event))
    if event.album_id:
        tally = ctx.scratch.albums.setdefault(event.album_id, [0, 0])
        tally[0 if kept else 1] += 1
        lead = ctx.t("photos.album_received", kept=tally[0])
        if tally[1]:
            lead += "\n" + ctx.t("photos.over_limit", dropped=tally[1], max=spec.max_items)
    elif kept:
        lead = ctx.t("photos.received")
    else:
        lead = ctx.t("photos.over_limit" if full else "photos.duplicate", dropped=1,
                     max=spec.max_items)
    return Pending(await _photos_progress(ctx, spec, lead))


def _progress(ctx: Context, spec: FieldSpec) -> str:
    """"Đã có 2/10 ảnh." and, where a video was sent, its length."""
    text = ctx.t("photos.progress", count=len(ctx.scratch.photos),
                 max=spec.max_items)
    if video := ctx.scratch.video:
        seconds = int(video.get("duration_seconds") or 0)
        text += " " + ctx.t("video.progress", length=f"{seconds // 60}:{seconds % 60:02d}")
    return text


async def _photos_progress(ctx: Context, spec: FieldSpec, lead: str) -> list[Reply]:
    text = f"{lead}\n" + _progress(ctx, spec)
    options = [Option(ctx.t("common.done"), DONE), Option(ctx.t("photos.clear"), CLEAR)]
    token = ctx.issue_token(options, free_input=True)
    return [TextReply(text, tuple(options), token=token, free_input=True)]


def photo_record(event: PhotoEvent) -> dict[str, Any]:
    media = event.media
    return {"sha256": media.sha256, "path": media.path, "mime_type": media.mime_type,
            "size_bytes": media.size_bytes, "platform_file_id": media.platform_file_id,
            "channel": event.sender.channel}


def video_record(event: VideoEvent) -> dict[str, Any]:
    """A kept video as the answers and `PracticeVideo` hold it."""
    media = event.media
    return {"sha256": media.sha256, "path": media.path, "mime_type": media.mime_type,
            "size_bytes": media.size_bytes, "platform_file_id": media.platform_file_id,
            "channel": event.sender.channel, "poster_path": media.poster_path,
            "duration_seconds": media.duration_seconds or 1, "width": media.width or 0,
            "height": media.height or 0}


_ACCEPTORS = {
    Kind.TEXT: _accept_text,
    Kind.NUMBER: _accept_number,
    Kind.MONEY: _accept_money,
    Kind.CHOICE: _accept_choice,
    Kind.UNIT: _accept_unit,
    Kind.LOCATION: _accept_location,
    Kind.PHONE: _accept_phone,
    Kind.PHOTOS: _accept_photos,
    Kind.DATE: _accept_date,
}
