"""The scheduler's settings: documented in `.env.example`, parsed, and refused when wrong."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings, env_names

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
SCHEDULER_SETTINGS = (
    "reminder_offsets_days", "reminder_hour", "quiet_hours", "draft_reminder_hours",
    "escalation_ack_days", "escalation_resolve_days", "review_remind_days",
    "review_escalate_days", "telegram_global_rate",
    "telegram_per_chat_rate", "telegram_group_rate_per_minute", "outbox_send_timeout_seconds",
    "outbox_max_in_flight", "outbox_resend_unconfirmed",
)


def test_every_scheduler_setting_is_in_env_example_with_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for name in SCHEDULER_SETTINGS:
        assert name.upper() in env_names()
        key = name.upper() + "="
        index = next((i for i, line in enumerate(lines) if line.startswith(key)), None)
        assert index is not None, f"{key} is missing from .env.example"
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"


def test_defaults_and_parsing() -> None:
    settings = Settings(_env_file=None)
    assert settings.scheduler.reminder_offsets_days == (30, 7, 1)
    assert settings.scheduler.reminder_hour == 8
    assert settings.scheduler.quiet_window == (time(21), time(7))
    assert settings.scheduler.draft_reminder_hours == (24, 168)
    assert (settings.scheduler.review_remind_days,
            settings.scheduler.review_escalate_days) == (7, 30)
    custom = Settings(_env_file=None, reminder_offsets_days="1, 14,3", quiet_hours="22:30-06:15")
    assert custom.scheduler.reminder_offsets_days == (14, 3, 1)
    assert custom.scheduler.quiet_window == (time(22, 30), time(6, 15))
    assert Settings(_env_file=None, quiet_hours="off").scheduler.quiet_window is None


@pytest.mark.parametrize("field, value", [
    ("reminder_offsets_days", "30,0"), ("reminder_offsets_days", "soon"),
    ("quiet_hours", "25-7"), ("quiet_hours", "7-7"), ("reminder_hour", 24),
    ("escalation_ack_days", 0), ("telegram_per_chat_rate", 0), ("review_remind_days", 0),
    ("review_escalate_days", -1),
])
def test_bad_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(_env_file=None, **{field: value})
