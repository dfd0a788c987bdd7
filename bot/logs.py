"""Structured logs, with the update or job they concern: one JSON object per line for a log
collector, or one readable line per record for a person at a terminal.

Extras passed as ``log.info("...", extra={...})`` become fields (JSON) or ``key=value`` pairs
(text). Nothing here adds personal data; callers pass ids, never names or phone numbers.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_OURS = frozenset({"time", "level", "logger", "message", "exception"})


def _extras(record: logging.LogRecord) -> dict[str, object]:
    """The caller's extra fields; one named like ours (`level`, `time`, `logger`) is kept as
    `extra_<name>` and never replaces the record's own."""
    return {("extra_" + k if k in _OURS else k): v for k, v in record.__dict__.items()
            if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`16:21:04 INFO  bot.app: web server: map http://… url=http://…`: local time, the same
    fields as the JSON lines, for reading in a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        pairs = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        if pairs:
            line = f"{line}  {pairs}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def choose_formatter(log_format: str, stream: TextIO) -> logging.Formatter:
    """LOG_FORMAT: "json", "text", or "auto" (text when the stream is a terminal)."""
    if log_format == "auto":
        isatty = getattr(stream, "isatty", None)
        log_format = "text" if isatty is not None and isatty() else "json"
    return TextFormatter() if log_format == "text" else JsonFormatter()


def configure_logging(level: str = "INFO", log_format: str = "auto",
                      stream: TextIO | None = None) -> None:
    stream = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(choose_formatter(log_format, stream))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Telegram URLs contain the bot token.
    noisy_loggers = ("httpx", "httpcore", "apscheduler.executors", "aiosqlite",
                     "alembic.runtime.plugins")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
