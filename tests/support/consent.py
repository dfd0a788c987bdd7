"""The privacy notice as the test drivers meet it.

Every channel's driver agrees to the notice when it appears (as a person who has read it
would), unless a test sets ``auto_consent = False`` to look at the notice itself
(tests/handlers/test_consent.py and the channels' consent tests). Tests about other things
then read like before, with one more exchange in the transcript."""

from __future__ import annotations

NOTICE_MARKS = ("🔒 Trước khi tiếp tục", "🔒 Before you go on")
AGREE = "Đồng ý"
DECLINE = "Không đồng ý"


def is_privacy_notice(text: str | None) -> bool:
    return bool(text) and any(mark in text for mark in NOTICE_MARKS)
