"""Answers that come before their question: a photo sent while the bot asks for a description, a
pin sent while it asks for a title.

Many people send the photo first and then explain (on Zalo a place is a shared map link).
Refusing it ("this question needs text") made them find and send it again three questions
later. Instead the photo or place is kept in the conversation, the current question is asked
again, and the question that wants it finds it there: the photos are already counted at the
photo step, and the place is taken (and checked) as if it had just been sent.
"""

from __future__ import annotations

from typing import Any

from handlers import fields, voice
from handlers.context import Context
from handlers.events import Event, LocationEvent, PhotoEvent, TextEvent, VoiceEvent
from handlers.forms import FieldSpec, Form, Kind
from handlers.geo import parse_coordinates


def keep(ctx: Context, form: Form, spec: FieldSpec, event: Event) -> str | None:
    """Keep a photo or a place meant for a later (or earlier, unanswered) question of this
    form; the note to show, or None when the event is not kept."""
    if isinstance(event, PhotoEvent) and spec.kind is not Kind.PHOTOS:
        target = _wanting(form, Kind.PHOTOS, ctx.answers)
        if target is None:
            return None
        kept = ctx.state.early.photos
        known = {photo["sha256"] for photo in kept}
        if event.media.sha256 not in known and len(kept) < target.max_items:
            kept.append(fields.photo_record(event))
        if event.album_id:
            albums = ctx.state.early.albums
            albums[event.album_id] = albums.get(event.album_id, 0) + 1
            return ctx.t("early.album_kept", count=albums[event.album_id])
        return ctx.t("early.photo_kept", count=len(kept))
    if isinstance(event, VoiceEvent) and not spec.voice:
        if not any(other.voice and other.applies(ctx.answers) and other.name not in ctx.answers
                   for other in form.fields):
            return None
        ctx.state.early.voice = voice.record(event)  # a second note replaces the first
        return ctx.t("early.voice_kept", length=voice.length(event.media.duration_seconds))
    if spec.kind is Kind.LOCATION or _wanting(form, Kind.LOCATION, ctx.answers) is None:
        return None
    if isinstance(event, LocationEvent):
        ctx.state.early.location = {"lat": event.latitude, "lon": event.longitude,
                                    "title": event.title}
        return ctx.t("early.location_kept")
    if isinstance(event, TextEvent) and (coords := _map_link(event.text)):
        # Where there is no location button (Zalo), a place is a shared map link.
        ctx.state.early.location = {"lat": coords[0], "lon": coords[1], "title": None}
        return ctx.t("early.location_kept")
    return None


def _map_link(text: str) -> tuple[float, float] | None:
    """Coordinates of a message that is nothing but a map link."""
    words = text.split()
    if len(words) != 1 or "://" not in words[0]:
        return None
    return parse_coordinates(words[0])


def take_photos(ctx: Context, spec: FieldSpec) -> list[dict[str, Any]]:
    """The photos kept for the photo question, now that it is asked (each only once)."""
    early = ctx.state.early
    photos, early.photos, early.albums = early.photos, [], {}
    have = {photo["sha256"] for photo in ctx.scratch.photos}
    room = spec.max_items - len(have)
    return [photo for photo in photos if photo["sha256"] not in have][:max(room, 0)]


def take_voice(ctx: Context) -> dict[str, Any] | None:
    """The voice note kept for the question a note may answer, now that it is asked."""
    early = ctx.state.early
    note, early.voice = early.voice, None
    return note


def take_location(ctx: Context) -> dict[str, Any] | None:
    early = ctx.state.early
    location, early.location = early.location, None
    return location


def _wanting(form: Form, kind: Kind, answers: dict[str, Any]) -> FieldSpec | None:
    """The question of this kind that applies and is not answered yet, if any."""
    return next((spec for spec in form.fields
                 if spec.kind is kind and spec.applies(answers) and spec.name not in answers),
                None)
