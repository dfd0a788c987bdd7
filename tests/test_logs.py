"""Structured logs: a record's own fields cannot be forged by what a caller passes as extra."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import JsonFormatter


def test_extra_fields_cannot_overwrite_level_time_logger_or_message() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("tests.logs.forgery")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("webhook refused", extra={
            "level": "DEBUG", "time": "1970-01-01T00:00:00", "logger": "bot.trusted",
            "exception": "none", "update_id": 7})
    finally:
        log.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tests.logs.forgery"
    assert entry["message"] == "webhook refused"
    assert entry["time"].startswith("20") and entry["time"] != "1970-01-01T00:00:00"
    assert "exception" not in entry
    assert entry["extra_level"] == "DEBUG" and entry["extra_logger"] == "bot.trusted"
    assert entry["update_id"] == 7
