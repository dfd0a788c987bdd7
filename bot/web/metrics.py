"""Counters an operator watches, served at /metrics in the Prometheus text format.

One `Metrics` object is created in the app wiring and handed to whoever counts; there is no
module-level registry. Counting is attached from the outside where possible, so flows and
adapters stay unaware of it: `MeteredEngine` counts every event an adapter hands over,
`instrument_flows` counts completed flows, and `ErrorLogCounter` counts ERROR log records
(every failure already logs one, with its source as the logger name).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from handlers.context import Context, Services
from handlers.engine import Engine
from handlers.events import Event
from handlers.flow import Flow
from handlers.replies import Reply
from storage.db import Database
from storage.models import Channel
from storage.repositories import outbox

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
        "dvk_updates_processed_total", "Updates handed to the engine, by channel.", "channel",
        seed=tuple(channel.value for channel in Channel)))
    errors: Counter = field(default_factory=lambda: Counter(
        "dvk_errors_total", "Errors logged, by the logger (component) that logged them.",
        "source"))
    reminders_sent: Counter = field(default_factory=lambda: Counter(
        "dvk_reminders_sent_total", "Reminders delivered to officials, by kind.", "kind"))
    flow_completions: Counter = field(default_factory=lambda: Counter(
        "dvk_flow_completions_total", "Flows completed by confirming their summary, by flow.",
        "flow"))
    outbox_backlog: Callable[[], Awaitable[int]] | None = None
    """Counts messages waiting to be delivered; None until the outbox exists (reported as 0)."""

    async def render(self) -> str:
        backlog = await self.outbox_backlog() if self.outbox_backlog is not None else 0
        lines: list[str] = []
        for counter in (self.updates_processed, self.errors, self.reminders_sent,
                        self.flow_completions):
            lines += counter.render()
        lines += ["# HELP dvk_outbox_backlog Messages waiting in the outbox to be delivered.",
                  "# TYPE dvk_outbox_backlog gauge", f"dvk_outbox_backlog {backlog}"]
        return "\n".join(lines) + "\n"


def outbox_backlog(db: Database) -> Callable[[], Awaitable[int]]:
    """Counts outbox rows still to deliver, read fresh at each scrape."""

    async def count() -> int:
        async with db.session() as session:
            return await outbox.backlog(session)

    return count


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class MeteredEngine(Engine):
    """The engine, counting each event handed to it by channel (duplicates included: they
    were received and handled, by being dropped)."""

    def __init__(self, db: Database, services: Services, metrics: Metrics) -> None:
        super().__init__(db, services)
        self.metrics = metrics

    async def handle(self, event: Event, *, keep_answer: bool = False) -> list[Reply]:
        replies = await super().handle(event, keep_answer=keep_answer)
        self.metrics.updates_processed.inc(event.sender.channel)
        return replies


class CountingFlow:
    """A flow that counts its completions: a step after which the conversation left the flow.

    Cancelling is handled by the router, not by `handle`, so only a finished flow counts.
    """

    def __init__(self, inner: Flow, metrics: Metrics) -> None:
        self.inner = inner
        self.name = inner.name
        self.metrics = metrics

    async def start(self, ctx: Context) -> list[Reply]:
        return await self.inner.start(ctx)

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        replies = await self.inner.handle(ctx, event)
        if ctx.conversation.flow is None:
            self.metrics.flow_completions.inc(self.name)
        return replies

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        return await self.inner.reask(ctx, lead=lead)

    async def back(self, ctx: Context) -> list[Reply]:
        return await self.inner.back(ctx)

    def has_progress(self, ctx: Context) -> bool:
        return self.inner.has_progress(ctx)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def instrument_flows(flows: dict[str, Flow], metrics: Metrics) -> dict[str, Flow]:
    return {name: CountingFlow(flow, metrics) for name, flow in flows.items()}


class ErrorLogCounter(logging.Handler):
    """Counts ERROR and CRITICAL records by logger name; attach to the root logger."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(level=logging.ERROR)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        self.metrics.errors.inc(record.name)


METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = await request.app[METRICS].render()
    return web.Response(text=body, headers={"Content-Type": CONTENT_TYPE})
