"""Counting attached to the engine and the flows from the outside, so neither knows of
metrics: the app wires these in place of the plain engine and flows (bot/app.py)."""

from __future__ import annotations

from typing import Any

from bot.web.metrics import Metrics
from handlers.context import Context, Services
from handlers.engine import Engine
from handlers.events import Event
from handlers.flow import Flow
from handlers.replies import Reply
from storage.db import Database


class MeteredEngine(Engine):
    """The engine, counting each event it handled by channel; a platform's redelivered copy of
    an update is dropped and not counted again."""

    def __init__(self, db: Database, services: Services, metrics: Metrics) -> None:
        super().__init__(db, services)
        self.metrics = metrics

    def handled(self, event: Event) -> None:
        self.metrics.updates_processed.inc(event.sender.channel)


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
