"""Everything stored about one person, to hand it to them (/dulieucuatoi) or to erase it
(/xoadulieu, `dvk person erase`, the retention job).

A person who follows someone else's feedback (storage/repositories/followers.py) has that link
exported with their data; erasure and retention cut it (`person_id` becomes NULL), so the
officials' count of people affected stays and nothing points at the person any more.

Erasure keeps what accountability needs: the feedback itself, its status history and the
officials' answers stay, with the sender replaced by `ERASED_NAME`; a collective's practice
stays under the collective's name. What goes: names, phone numbers, usernames, channel
identifiers, the sender's photos, drafts, messages waiting for them, and every copy of their
name or phone in messages kept for others (the officials' notices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ENDED_FEEDBACK_STATUSES,
    MAX_ID,
    AccountMute,
    ChannelAccount,
    Consent,
    ConsentDecision,
    ConsultationVote,
    Conversation,
    DeliveryFallback,
    Feedback,
    FeedbackEvent,
    FeedbackFollower,
    FeedbackPhoto,
    FeedbackVoice,
    Follow,
    LinkCode,
    OutboxMessage,
    Person,
    Practice,
    PracticePhoto,
    PracticeReplication,
    PracticeUpdate,
    PracticeUpdatePhoto,
    PracticeVideo,
    PracticeVote,
    WebNotice,
)
from storage.repositories.officials import OFFICIAL_ROLES

ERASED_NAME = "Người dân đã xoá dữ liệu"
"""Stands for the person wherever their name was (stored, so one language)."""
REPORTER = "reporter"
_SHORTEST_SCRUBBED = 4
"""Shorter strings (a one-letter name) would replace innocent text in others' messages."""


def _dump(row: SQLModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def _without_official(row: dict[str, Any]) -> dict[str, Any]:
    """A declaration an official hid says when, never which official."""
    return {key: value for key, value in row.items() if key != "hidden_by"}


async def _all(session: AsyncSession, query: Any) -> Sequence[Any]:
    rows: Sequence[Any] = (await session.exec(query)).all()
    return rows


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any] | None:
    """The person's own rows: profile, linked accounts, consents, practices, feedback (with
    their history and photos' metadata), votes, mutes, follows."""
    person = await session.get(Person, person_id) if person_id <= MAX_ID else None
    if person is None:
        return None
    accounts = await _all(session, select(ChannelAccount).where(
        ChannelAccount.person_id == person_id).order_by(col(ChannelAccount.id)))
    consents = await _all(session, select(Consent).where(
        Consent.person_id == person_id).order_by(col(Consent.id)))
    practices = await _all(session, select(Practice).where(
        Practice.submitter_id == person_id).order_by(col(Practice.id)))
    feedback = await _all(session, select(Feedback).where(
        Feedback.reporter_id == person_id).order_by(col(Feedback.id)))
    votes = await _all(session, select(PracticeVote).where(
        PracticeVote.person_id == person_id).order_by(col(PracticeVote.id)))
    following = await _all(session, select(FeedbackFollower, Feedback.code).join(
        Feedback, col(Feedback.id) == FeedbackFollower.feedback_id).where(
        FeedbackFollower.person_id == person_id).order_by(col(FeedbackFollower.id)))
    practice_photos = await _all(session, select(PracticePhoto).where(
        col(PracticePhoto.practice_id).in_([p.id for p in practices])))
    feedback_ids = [f.id for f in feedback]
    events = await _all(session, select(FeedbackEvent).where(
        col(FeedbackEvent.feedback_id).in_(feedback_ids)).order_by(col(FeedbackEvent.id)))
    feedback_photos = await _all(session, select(FeedbackPhoto).where(
        col(FeedbackPhoto.feedback_id).in_(feedback_ids)))
    voices = await _all(session, select(FeedbackVoice).where(
        col(FeedbackVoice.feedback_id).in_(feedback_ids)).order_by(col(FeedbackVoice.id)))
    mutes = await _all(session, select(AccountMute).where(
        AccountMute.person_id == person_id).order_by(col(AccountMute.id)))
    follows = await _all(session, select(Follow).where(
        Follow.person_id == person_id).order_by(col(Follow.id)))
    updates = await _all(session, select(PracticeUpdate).where(
        PracticeUpdate.author_id == person_id).order_by(col(PracticeUpdate.id)))
    update_ids = [u.id for u in updates]
    update_photos = await _all(session, select(PracticeUpdatePhoto).where(
        col(PracticeUpdatePhoto.update_id).in_(update_ids)))
    videos = await _all(session, select(PracticeVideo).where(or_(
        col(PracticeVideo.update_id).in_(update_ids),
        and_(col(PracticeVideo.practice_id).in_([p.id for p in practices]),
             col(PracticeVideo.update_id).is_(None)))))
    replications = await _all(session, select(PracticeReplication).where(
        PracticeReplication.person_id == person_id).order_by(col(PracticeReplication.id)))
    opinions = await _all(session, select(ConsultationVote).where(
        ConsultationVote.person_id == person_id).order_by(col(ConsultationVote.id)))
    return {
        "person": _dump(person),
        "accounts": [_dump(a) for a in accounts],
        "consents": [_dump(c) for c in consents],
        "practices": [{**_dump(p), "photos": [_dump(ph) for ph in practice_photos
                                              if ph.practice_id == p.id],
                       "videos": [_dump(v) for v in videos
                                  if v.practice_id == p.id and v.update_id is None]}
                      for p in practices],
        # Updates they added to a practice (/capnhat), with their photos' and video's metadata.
        "practice_updates": [{**_dump(u), "photos": [_dump(ph) for ph in update_photos
                                                     if ph.update_id == u.id],
                              "videos": [_dump(v) for v in videos if v.update_id == u.id]}
                             for u in updates],
        # Collectives they declared had adopted a practice (/nhanrong).
        "replications": [_without_official(_dump(r)) for r in replications],
        "feedback": [{**_dump(f),
                      "history": [_dump(e) for e in events if e.feedback_id == f.id],
                      "photos": [_dump(ph) for ph in feedback_photos
                                 if ph.feedback_id == f.id],
                      "voice_notes": [_dump(v) for v in voices if v.feedback_id == f.id]}
                     for f in feedback],
        "votes": [_dump(v) for v in votes],
        "following": [{**_dump(row), "feedback_code": code} for row, code in following],
        # Mutes an official set on them: when, how long, why; not which official.
        "mutes": [_dump(m) | {"muted_by": None, "lifted_by": None} for m in mutes],
        # The communes and provinces they follow (/theodoi): where they live, often.
        "follows": [_dump(f) for f in follows],
        # Their answers to residents' consultations (handlers/consultation_vote.py).
        "consultation_answers": [_dump(o) for o in opinions],
    }


@dataclass
class Erasure:
    person_id: int
    accounts: int = 0
    feedback: int = 0
    practices: int = 0
    photos: int = 0
    voice_notes: int = 0
    messages: int = 0
    followed: int = 0
    """Links to feedback the person followed, cut."""
    media_keys: list[str] = field(default_factory=list)
    """Photo and voice files no row refers to any more: the caller deletes them after
    committing."""


class StillOfficial(Exception):
    """An official's data is erased only once their role has been removed."""


async def erase_person(session: AsyncSession, *, person_id: int, channel: str,
                       now: datetime, version: str) -> Erasure | None:
    """Erase the person's personal data in the caller's transaction; None if no such person.
    `version` is the privacy notice's, for the withdrawn consent recorded."""
    person = await session.get(Person, person_id) if person_id <= MAX_ID else None
    if person is None:
        return None
    if person.role in OFFICIAL_ROLES:
        raise StillOfficial(person_id)
    report = Erasure(person_id)
    strings = {person.display_name}
    accounts = await _all(session, select(ChannelAccount).where(
        ChannelAccount.person_id == person_id))
    for account in accounts:
        strings |= {account.external_id, account.chat_id, account.username or "",
                    account.display_name}
        await session.exec(delete(WebNotice).where(col(WebNotice.chat_id) == account.chat_id))
        account.external_id = account.chat_id = f"erased-{account.id}"
        account.username, account.display_name, account.menu_role = None, "", None
        session.add(account)
        report.accounts += 1
    await _clear_conversations(session, [a.id for a in accounts])
    report.messages = await _drop_own_messages(session, person_id)
    await session.exec(delete(LinkCode).where(col(LinkCode.person_id) == person_id))
    # Mutes on them go too (the reason is words about them); the audit log keeps that a mute
    # was set and lifted, without them.
    await session.exec(delete(AccountMute).where(col(AccountMute.person_id) == person_id))
    person.muted_until = None
    await session.exec(delete(Follow).where(col(Follow.person_id) == person_id))
    # Their consultation answers stay counted; the words they wrote go.
    for opinion in await _all(session, select(ConsultationVote).where(
            ConsultationVote.person_id == person_id)):
        opinion.comment = None
        session.add(opinion)
    strings |= await _erase_feedback(session, person_id, report)
    strings |= await _erase_practices(session, person_id, report)
    report.followed = await _unlink_follower(
        session, col(FeedbackFollower.person_id) == person_id)
    # Their practices' updates and their "nhân rộng" declarations stay with the practice
    # (public, about a collective): only the link to them is cut.
    for row in await _all(session, select(PracticeUpdate).where(
            PracticeUpdate.author_id == person_id)):
        row.author_id = None
        session.add(row)
    for adopted in await _all(session, select(PracticeReplication).where(
            PracticeReplication.person_id == person_id)):
        adopted.person_id = None
        session.add(adopted)
    person.display_name, person.notify_channel, person.consent_version = "", None, None
    session.add(person)
    session.add(Consent(person_id=person_id, version=version,
                        decision=ConsentDecision.WITHDRAWN, channel=channel, at=now))
    await session.flush()
    await _scrub_copies(session, {s for s in strings if s and len(s) >= _SHORTEST_SCRUBBED})
    report.media_keys = await _unreferenced(session, report.media_keys)
    return report


async def _clear_conversations(session: AsyncSession, account_ids: list[int | None]) -> None:
    for conversation in await _all(session, select(Conversation).where(
            col(Conversation.account_id).in_(account_ids))):
        conversation.flow, conversation.step, conversation.data = None, None, {}
        session.add(conversation)


async def _drop_own_messages(session: AsyncSession, person_id: int) -> int:
    """Messages kept for the person (sent or waiting) go: they are copies of their own data."""
    ids = [m.id for m in await _all(session, select(OutboxMessage).where(
        OutboxMessage.person_id == person_id))]
    if ids:
        await session.exec(delete(DeliveryFallback).where(
            col(DeliveryFallback.message_id).in_(ids)))
        await session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
    return len(ids)


async def _unlink_follower(session: AsyncSession, where: Any) -> int:
    """Followers' rows lose their person (the count of people affected stays)."""
    rows = await _all(session, select(FeedbackFollower).where(
        where, col(FeedbackFollower.person_id).is_not(None)))
    for row in rows:
        row.person_id = None
        session.add(row)
    return len(rows)


async def _erase_feedback(session: AsyncSession, person_id: int, report: Erasure) -> set[str]:
    feedback = await _all(session, select(Feedback).where(Feedback.reporter_id == person_id))
    return await erase_senders_data(session, feedback, report)


async def erase_senders_data(session: AsyncSession, feedback: Sequence[Feedback],
                             report: Erasure) -> set[str]:
    """The sender's name, phone, photos and voice notes on these feedback, and their consent
    to publish them (Open311); returns the strings removed, for scrubbing their copies."""
    strings: set[str] = set()
    for item in feedback:
        item.publish = False
        strings |= {item.reporter_name or "", item.reporter_phone or ""}
        if item.reporter_phone and item.reporter_phone.startswith("+84"):
            strings.add("0" + item.reporter_phone[3:])
        if not item.anonymous:
            item.reporter_name = ERASED_NAME
        item.reporter_phone = None
        session.add(item)
    ids = [f.id for f in feedback]
    photos = await _all(session, select(FeedbackPhoto).where(
        col(FeedbackPhoto.feedback_id).in_(ids), _senders_photo()))
    for photo in photos:
        report.media_keys.append(photo.path)
        await session.delete(photo)
    voices = await _all(session, select(FeedbackVoice).where(
        col(FeedbackVoice.feedback_id).in_(ids)))  # only ever the sender's own voice
    for voice in voices:
        report.media_keys.append(voice.path)
        await session.delete(voice)
    report.feedback, report.photos = len(feedback), report.photos + len(photos)
    report.voice_notes += len(voices)
    strings.discard(ERASED_NAME)
    return strings


def _senders_photo() -> Any:
    """A photo the sender sent (with the feedback or added later), not an official's proof."""
    senders_events = select(FeedbackEvent.id).where(
        FeedbackEvent.feedback_id == FeedbackPhoto.feedback_id,
        FeedbackEvent.actor_role == REPORTER)
    return or_(col(FeedbackPhoto.event_id).is_(None),
               col(FeedbackPhoto.event_id).in_(senders_events))


async def closed_feedback_due(session: AsyncSession, *, closed_before: datetime,
                              limit: int) -> Sequence[Feedback]:
    """Closed (or merged) before `closed_before` and still holding its sender's name, phone,
    photos or voice notes, or a link to a follower."""
    photo_left = exists().where(col(FeedbackPhoto.feedback_id) == col(Feedback.id),
                                _senders_photo())
    voice_left = exists().where(col(FeedbackVoice.feedback_id) == col(Feedback.id))
    follower_left = exists().where(col(FeedbackFollower.feedback_id) == col(Feedback.id),
                                   col(FeedbackFollower.person_id).is_not(None))
    return await _all(session, select(Feedback).where(
        col(Feedback.status).in_(ENDED_FEEDBACK_STATUSES),
        col(Feedback.closed_at) < closed_before,
        or_(and_(col(Feedback.reporter_name).is_not(None),
                 col(Feedback.reporter_name) != ERASED_NAME),
            col(Feedback.reporter_phone).is_not(None), photo_left, voice_left, follower_left),
    ).order_by(col(Feedback.id)).limit(limit))


async def erase_closed_feedback(session: AsyncSession, feedback: Sequence[Feedback]) -> Erasure:
    """The retention job's erasure of one batch: the feedback stay, their senders' personal
    data goes (and its copies in kept messages)."""
    report = Erasure(person_id=0)
    strings = await erase_senders_data(session, feedback, report)
    report.followed = await _unlink_follower(
        session, col(FeedbackFollower.feedback_id).in_([f.id for f in feedback]))
    await session.flush()
    await _scrub_copies(session, {s for s in strings if s and len(s) >= _SHORTEST_SCRUBBED})
    report.media_keys = await _unreferenced(session, report.media_keys)
    return report


PRACTICE_VOICE = "description_voice"
"""A practice's voice note, among its answers (handlers/practice_form.py)."""


async def _erase_practices(session: AsyncSession, person_id: int, report: Erasure) -> set[str]:
    """An individual's practice loses its author's name; a collective's keeps the collective.
    Either loses the leader's voice note: their own voice, whoever they spoke for."""
    strings: set[str] = set()
    for practice in await _all(session, select(Practice).where(
            Practice.submitter_id == person_id)):
        report.practices += 1
        note = practice.answers.get(PRACTICE_VOICE)
        if isinstance(note, dict):
            report.media_keys.append(str(note.get("path")))
            report.voice_notes += 1
            practice.answers = {k: v for k, v in practice.answers.items()
                                if k != PRACTICE_VOICE}
            session.add(practice)
        if practice.submitter_kind == "collective":
            continue
        strings.add(practice.submitter_name)
        practice.submitter_name = ERASED_NAME
        practice.answers = {**practice.answers, "submitter_name": ERASED_NAME}
        session.add(practice)
    return strings


async def _scrub_copies(session: AsyncSession, strings: set[str]) -> None:
    """Messages kept for others (an official's notice of a named feedback) lose the person's
    name, phone and identifiers."""
    if not strings:
        return
    for model in (OutboxMessage, WebNotice):
        column = model.payload
        found = await _all(session, select(model).where(
            or_(*(cast(column, String).contains(s) for s in strings))))
        for row in found:
            row.payload = _replace(row.payload, strings)
            session.add(row)


def _replace(value: Any, strings: set[str]) -> Any:
    if isinstance(value, str):
        for item in sorted(strings, key=len, reverse=True):
            value = value.replace(item, ERASED_NAME)
        return value
    if isinstance(value, list):
        return [_replace(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, strings) for k, v in value.items()}
    return value


async def _unreferenced(session: AsyncSession, keys: list[str]) -> list[str]:
    """Of these media keys, those no photo or voice row still refers to (one file may serve
    many)."""
    if not keys:
        return []
    used = set(await _all(session, select(FeedbackPhoto.path).where(
        col(FeedbackPhoto.path).in_(keys))))
    used |= set(await _all(session, select(PracticePhoto.path).where(
        col(PracticePhoto.path).in_(keys))))
    used |= set(await _all(session, select(FeedbackVoice.path).where(
        col(FeedbackVoice.path).in_(keys))))
    used |= set(await _all(session, select(PracticeUpdatePhoto.path).where(
        col(PracticeUpdatePhoto.path).in_(keys))))
    return sorted(set(keys) - used)
