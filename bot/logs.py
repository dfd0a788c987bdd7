"""Structured logs: one JSON object per line, with the update or job it concerns.

Extras passed as ``log.info("...", extra={...})`` become fields. Nothing here adds personal data;
callers pass ids, never names or phone numbers.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_OURS = frozenset({"time", "level", "logger", "message", "exception"})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                # an extra named like one of ours (`level`, `time`, `logger`) never replaces it
                entry["extra_" + key if key in _OURS else key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Telegram URLs contain the bot token.
    noisy_loggers = ("httpx", "httpcore", "apscheduler.executors", "aiosqlite",
                     "alembic.runtime.plugins")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
