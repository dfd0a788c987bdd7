"""LOG_FORMAT: readable lines for a person at a terminal, one JSON object per line for a log
collector (`auto` picks by whether the output is a terminal); extras become fields either way."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from bot.logs import JsonFormatter, configure_logging
from settings import Settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A real pseudo-terminal: what is written to the first is read from the second."""
    reader, writer = os.openpty()
    stream = open(writer, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    yield stream, reader
    stream.close()
    os.close(reader)


def log_one() -> None:
    logging.getLogger("bot.app").info("web server started", extra={"url": "http://x/",
                                                                   "update_id": 42})


def read_terminal(reader: int) -> str:
    return os.read(reader, 65536).decode()


def test_auto_writes_readable_lines_on_a_terminal(terminal) -> None:
    stream, reader = terminal
    assert stream.isatty()
    configure_logging("INFO", "auto", stream)
    log_one()
    stream.flush()
    line = read_terminal(reader).strip()
    assert not line.startswith("{")
    assert line.endswith("INFO    bot.app: web server started  url=http://x/ update_id=42")


def test_auto_writes_json_when_not_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "auto", stream)
    log_one()
    entry = json.loads(stream.getvalue())
    assert entry["level"] == "INFO" and entry["logger"] == "bot.app"
    assert entry["message"] == "web server started"
    assert entry["url"] == "http://x/" and entry["update_id"] == 42 and entry["time"]


def test_json_on_a_terminal_when_asked(terminal) -> None:
    stream, reader = terminal
    configure_logging("INFO", "json", stream)
    log_one()
    stream.flush()
    assert json.loads(read_terminal(reader))["update_id"] == 42


def test_text_into_a_file_when_asked() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("scheduler").exception("job failed", extra={"job": "tick"})
    first, *trace = stream.getvalue().splitlines()
    assert first.endswith("ERROR   scheduler: job failed  job=tick")
    assert trace[0] == "Traceback (most recent call last):" and trace[-1] == "ValueError: boom"


def test_the_setting_takes_auto_json_or_text() -> None:
    assert Settings(_env_file=None).log.format == "auto"
    assert Settings(_env_file=None, log_format="json").log.format == "json"
    with pytest.raises(ValidationError):
        Settings(_env_file=None, log_format="xml")


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
