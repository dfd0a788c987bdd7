"""Every official action stored by a test has its row in the audit log.

Run after each officials and Telegram end-to-end test (tests/conftest.py), so every action those
tests make — acknowledging, replying, resolving, forwarding, approving, asking for changes,
rejecting, recognising, hiding a declaration, taking a role, exporting, moving deadlines — is
checked against the log, and the log is checked to hold no sender's name or phone."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from storage.db import Database
from storage.models import (
    AccountMute,
    AuditEntry,
    Deadline,
    Feedback,
    FeedbackEvent,
    FeedbackEventKind,
    Invite,
    PracticeEvent,
    PracticeEventKind,
    PracticeReplication,
    ReportRequest,
)

FEEDBACK_ACTIONS = {FeedbackEventKind.STATUS: "feedback.status",
                    FeedbackEventKind.ANSWER: "feedback.reply",
                    FeedbackEventKind.FORWARDED: "feedback.forward",
                    FeedbackEventKind.MERGED: "feedback.merge",
                    FeedbackEventKind.MERGED_IN: "feedback.merge"}
PRACTICE_ACTIONS = {PracticeEventKind.APPROVED: "practice.approve",
                    PracticeEventKind.REJECTED: "practice.reject",
                    PracticeEventKind.CHANGES_REQUESTED: "practice.changes",
                    PracticeEventKind.RECOGNISED: "practice.recognise"}


async def missing_audit_rows(db: Database) -> list[str]:
    """What was done by an official without its audit row (empty when all is well)."""
    async with db.session() as session:
        entries = (await session.exec(select(AuditEntry))).all()
        feedback_events = (await session.exec(select(FeedbackEvent).where(
            FeedbackEvent.actor_role == "official"))).all()
        practice_events = (await session.exec(select(PracticeEvent))).all()
        invites = (await session.exec(select(Invite).where(Invite.used_by != None))).all()  # noqa: E711
        deadlines = (await session.exec(select(Deadline).where(
            Deadline.created_by != None))).all()  # noqa: E711
        reports = (await session.exec(select(ReportRequest))).all()
        senders = (await session.exec(select(Feedback))).all()
        mutes = (await session.exec(select(AccountMute))).all()
        hidden = (await session.exec(select(PracticeReplication).where(
            PracticeReplication.hidden_by != None))).all()  # noqa: E711
    logged = Counter((e.actor_id, e.action, e.record_id) for e in entries)
    wanted: Counter = Counter()
    for event in feedback_events:
        wanted[(event.actor_id, FEEDBACK_ACTIONS[event.kind], event.feedback_id)] += 1
    for event in practice_events:
        if event.kind in PRACTICE_ACTIONS:
            wanted[(event.actor_id, PRACTICE_ACTIONS[event.kind], event.practice_id)] += 1
    for invite in invites:
        wanted[(invite.used_by, "role.grant", invite.used_by)] += 1
    for deadline in deadlines:
        wanted[(deadline.created_by, "deadline.add", deadline.id)] += 1
    for mute in mutes:  # (a test may store one with no official behind it: not an action)
        if mute.muted_by is not None:
            wanted[(mute.muted_by, "account.mute", mute.id)] += 1
        if mute.lifted_by is not None:
            wanted[(mute.lifted_by, "account.unmute", mute.id)] += 1
    for adoption in hidden:  # a "nhân rộng" declaration an official hid
        wanted[(adoption.hidden_by, "practice.adoption_hide", adoption.practice_id)] += 1
    problems = [f"{key} done {count}×, logged {logged[key]}×"
                for key, count in wanted.items() if logged[key] < count]
    if reports and not any(e.action == "report.export" for e in entries):
        problems.append("a report was requested without an audit row")
    personal = {value for f in senders for value in (f.reporter_name, f.reporter_phone) if value}
    for entry in entries:
        for column in ("detail", "record_code", "actor_role", "action", "channel"):
            value = getattr(entry, column) or ""
            problems += [f"audit row {entry.id} holds a sender's data in {column}"
                         for item in personal if item in value]
    return problems
