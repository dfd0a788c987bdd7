"""The engine's own cost per update: the practice walk of bench_throughput.py without a channel.

bench_throughput.py measures the whole bot against PTB's echo bot; when its figure moves, this
says whether the engine (the turn's transaction, the flows, the state) moved, or the channel
around it. Simulated people walk the complete practice flow (tests/support/practice_walk.py)
through `Engine.handle` directly, on SQLite, all at once as in the throughput run; each person's
photos (distinct, as a phone's are) are stored beforehand, as a channel's download and the
store's cleaning are not the engine's cost. Each round prints the
CPU per update and the SQL statements per update (a turn's fixed cost is one transaction of
three: mark the update, load the sender, write the conversation).

    python bench/bench_engine.py [--users 40] [--rounds 3]

Ends with one JSON line: {"bench": "engine", "cpu_ms_per_update": …, ...}. No target of its own:
it explains bench_throughput's figure (docs/development.md#benchmarks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bot.app import build_services  # noqa: E402
from handlers.clock import SystemClock  # noqa: E402
from handlers.engine import Engine  # noqa: E402
from handlers.events import Event, PhotoEvent, Sender  # noqa: E402
from settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.media import StoredMedia  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.support.chat_driver import walk  # noqa: E402
from tests.support.engine_chat import EngineChat  # noqa: E402
from tests.support.images import jpeg_bytes  # noqa: E402
from tests.support.practice_walk import COMPLETE_PRACTICE  # noqa: E402


class CountingEngine(Engine):
    """Counts the events handled, the privacy notice's "agree" at first contact included."""

    handled_events = 0

    def handled(self, event: Event) -> None:
        self.handled_events += 1


class BenchChat(EngineChat):
    """A person whose photos were stored beforehand: sending one costs the engine alone."""

    stored: list[StoredMedia]

    async def photos(self, count: int) -> None:
        for photo in self.stored[:count]:
            await self._send(PhotoEvent(self.sender, media=photo, **self._meta()))


async def submit(chat: BenchChat) -> None:
    """The whole submission, as bench_throughput's users walk it."""
    await chat.command("mohinh")
    await walk(chat, COMPLETE_PRACTICE)
    await chat.press("Gửi")
    assert "MH-" in chat.last.text, chat.last.text


async def one_round(users: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade, url)
        settings = Settings(_env_file=None, database_url=url, media_dir=Path(tmp) / "media",
                            web_port=0, messages_per_minute=10_000, text_join_seconds=0)
        services = build_services(settings, SystemClock())
        db = Database(url)
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        engine = CountingEngine(db, services)
        per_person = max(int(s.value) for s in COMPLETE_PRACTICE
                         if s.kind == "photos")

        def photos() -> list[StoredMedia]:
            return [services.media.save_image(jpeg_bytes()) for _ in range(per_person)]

        def person(n: int) -> BenchChat:
            sender = Sender(channel="telegram", external_id=str(n), chat_id=str(n),
                            display_name=f"U{n}")
            chat = BenchChat(engine, services.media, sender)
            chat.stored = photos()
            return chat

        await submit(person(1))  # warm: caches, the first statements compiled
        people = [person(10_000 + i) for i in range(users)]
        statements, engine.handled_events = 0, 0
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(submit(chat) for chat in people))
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
        await db.dispose()
    sent = engine.handled_events
    return {"updates": sent, "cpu_ms_per_update": round(cpu * 1000 / sent, 3),
            "updates_per_s": round(sent / elapsed, 1),
            "statements_per_update": round(statements / sent, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rounds = []
    for _ in range(args.rounds):
        rounds.append(await one_round(args.users))
        print(f"round: {rounds[-1]}")
    median = sorted(rounds, key=lambda r: r["cpu_ms_per_update"])[len(rounds) // 2]
    print(f"engine alone: {median['cpu_ms_per_update']} ms of CPU per update "
          f"({min(r['cpu_ms_per_update'] for r in rounds)}–"
          f"{max(r['cpu_ms_per_update'] for r in rounds)} over {args.rounds} rounds), "
          f"{median['statements_per_update']} SQL statements per update, "
          f"{args.users} people, {median['updates']} updates")
    print(json.dumps({"bench": "engine", **median,
                      "cpu_ms_per_update_spread": statistics.pstdev(
                          r["cpu_ms_per_update"] for r in rounds)}))


if __name__ == "__main__":
    asyncio.run(main())
