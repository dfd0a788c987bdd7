"""Counters an operator watches, served at /metrics in the Prometheus text format.

One `Metrics` object is created in the app wiring and handed to whoever counts; there is no
module-level registry. Counting is attached from the outside where possible, so flows and
adapters stay unaware of it: `bot/instrumentation.py` wraps the engine and the flows, and
`ErrorLogCounter` counts ERROR log records (every failure already logs one, with its source
as the logger name).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.web.keys import SETTINGS
from storage.db import Database
from storage.models import Channel
from storage.repositories import outbox, unassigned

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Counter:
    """A monotonically increasing count, optionally split by one label."""

    def __init__(self, name: str, help_text: str, label: str | None = None,
                 seed: tuple[str, ...] = ()) -> None:
        self.name = name
        self.help_text = help_text
        self.label = label
        self._values: dict[str, float] = dict.fromkeys(seed, 0.0) if label else {"": 0.0}

    def inc(self, label_value: str = "", amount: float = 1.0) -> None:
        self._values[label_value] = self._values.get(label_value, 0.0) + amount

    def value(self, label_value: str = "") -> float:
        return self._values.get(label_value, 0.0)

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} counter"]
        for key, value in sorted(self._values.items()):
            labels = f'{{{self.label}="{_escape(key)}"}}' if self.label else ""
            lines.append(f"{self.name}{labels} {_number(value)}")
        return lines


@dataclass
class Metrics:
    updates_processed: Counter = field(default_factory=lambda: Counter(
        "dvk_updates_processed_total", "Updates handled (each once, however often delivered), by "
        "channel.", "channel",
        seed=tuple(channel.value for channel in Channel)))
    errors: Counter = field(default_factory=lambda: Counter(
        "dvk_errors_total", "Errors logged, by the logger (component) that logged them.",
        "source"))
    reminders_sent: Counter = field(default_factory=lambda: Counter(
        "dvk_reminders_sent_total", "Reminders the scheduler handed to the outbox, by kind "
        "(deadline, leader_report, feedback_escalation, practice_review).", "kind",
        seed=("deadline", "leader_report", "feedback_escalation", "practice_review")))
    flow_completions: Counter = field(default_factory=lambda: Counter(
        "dvk_flow_completions_total", "Flows completed by confirming their summary, by flow.",
        "flow"))
    retention_erased: Counter = field(default_factory=lambda: Counter(
        "dvk_retention_erased_total", "Personal data erased by the retention job: feedback "
        "whose sender's name and phone went, photos deleted, followers unlinked.", "what",
        seed=("feedback", "photos", "followers")))
    outbox_backlog: Callable[[], Awaitable[int]] | None = None
    """Counts messages waiting to be delivered; None until the outbox exists (reported as 0)."""
    unassigned_items: Callable[[], Awaitable[dict[str, int]]] | None = None
    """Counts items waiting with no official anywhere on their path, by kind; None until the
    database is open (reported as 0)."""

    async def render(self) -> str:
        backlog = await self.outbox_backlog() if self.outbox_backlog is not None else 0
        waiting = await self.unassigned_items() if self.unassigned_items is not None else {}
        lines: list[str] = []
        for counter in (self.updates_processed, self.errors, self.reminders_sent,
                        self.flow_completions, self.retention_erased):
            lines += counter.render()
        lines += ["# HELP dvk_outbox_backlog Messages waiting in the outbox to be delivered.",
                  "# TYPE dvk_outbox_backlog gauge", f"dvk_outbox_backlog {backlog}"]
        lines += ["# HELP dvk_unassigned_items Items waiting with no official at their commune, "
                  "its province or the central level (invite one), by kind.",
                  "# TYPE dvk_unassigned_items gauge"]
        lines += [f'dvk_unassigned_items{{kind="{kind}"}} {waiting.get(kind, 0)}'
                  for kind in unassigned.KINDS]
        return "\n".join(lines) + "\n"


def outbox_backlog(db: Database) -> Callable[[], Awaitable[int]]:
    """Counts outbox rows still to deliver, read fresh at each scrape."""

    async def count() -> int:
        async with db.session() as session:
            return await outbox.backlog(session)

    return count


def unassigned_items(db: Database) -> Callable[[], Awaitable[dict[str, int]]]:
    """Counts items no official anywhere can take, read fresh at each scrape."""

    async def count() -> dict[str, int]:
        async with db.session() as session:
            return await unassigned.counts(session)

    return count


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class ErrorLogCounter(logging.Handler):
    """Counts ERROR and CRITICAL records by logger name; attach to the root logger."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(level=logging.ERROR)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        self.metrics.errors.inc(record.name)


METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
METRICS_PORTS: web.AppKey[set[int]] = web.AppKey("metrics_ports", set)
"""The local ports of /metrics' own listener (METRICS_PORT), once the server is started."""


async def metrics_endpoint(request: web.Request) -> web.Response:
    """The counters, for whoever may read them: only on METRICS_PORT when that is set, and
    only with `Authorization: Bearer <METRICS_TOKEN>` when that is set."""
    settings = request.app[SETTINGS]
    if settings.metrics.port is not None and _local_port(request) not in request.app[
            METRICS_PORTS]:
        raise web.HTTPNotFound()
    if settings.metrics.token is not None:
        expected = f"Bearer {settings.metrics.token.get_secret_value()}".encode()
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body = await request.app[METRICS].render()
    return web.Response(text=body, headers={"Content-Type": CONTENT_TYPE})


def _local_port(request: web.Request) -> int | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return sockname[1] if isinstance(sockname, tuple) and len(sockname) >= 2 else None
