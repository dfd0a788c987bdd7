"""Fan-out through the outbox: one notice to each of 5,000 people, against Telegram's limits.

The fake Bot API (over real HTTP, in a child process: its own core, as Telegram would be)
enforces a global cap per sliding second and
1 message/s per chat, answering 429 beyond them, like Telegram. The product's own outbox worker
(scheduler/outbox.py: SQLite outbox, per-chat pacing within the platform's one rate budget,
bot/channels/budget.py; python-telegram-bot without a rate limiter) sends every row, paced to
the same cap. Telegram's real cap is about 30/s; the default
here is 200/s so a run takes under a minute (5,000 / 200 = 25 s); `--cap 30` is the real thing
(about 3 minutes).

    python bench/bench_fanout.py [--recipients 5000] [--cap 200] [--per-chat 1]

Prints the achieved rate ÷ cap (target >= 0.9), the 429s received (target 0), duplicates (0)
and lost messages (0), and ends with one JSON line: {"bench": "fanout", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.app import build_services  # noqa: E402
from bot.channels.budget import RateBudget  # noqa: E402
from bot.telegram.channel import TelegramChannel  # noqa: E402
from handlers.clock import SystemClock  # noqa: E402
from handlers.engine import Engine  # noqa: E402
from handlers.replies import TextReply, to_payload  # noqa: E402
from scheduler.outbox import OutboxWorker  # noqa: E402
from scheduler.ratelimit import ChatRateLimiter, RateLimits  # noqa: E402
from scheduler.service import OUTBOX_CONNECTIONS  # noqa: E402
from settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ChannelAccount, OutboxMessage, OutboxStatus, Person  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

TARGET_RATIO = 0.9
FIRST_CHAT = 50_000_000


async def seed(db: Database, recipients: int) -> None:
    """People with one Telegram account each, and one due notice for each."""
    now = datetime.now(UTC)
    async with db.session() as session:
        await session.exec(insert(Person.__table__), params=[
            {"id": i + 1, "display_name": f"Người nhận {i}", "language": "vi",
             "role": "citizen", "created_at": now} for i in range(recipients)])
        await session.exec(insert(ChannelAccount.__table__), params=[
            {"person_id": i + 1, "channel": "telegram", "external_id": str(FIRST_CHAT + i),
             "chat_id": str(FIRST_CHAT + i), "display_name": "", "active": True,
             "created_at": now, "last_seen_at": now} for i in range(recipients)])
        await session.exec(insert(OutboxMessage.__table__), params=[
            {"idempotency_key": f"bench:fanout:{i}", "person_id": i + 1,
             "payload": to_payload([TextReply(f"⏰ Nhắc hạn báo cáo 6 tháng — người nhận {i}")]),
             "status": OutboxStatus.PENDING, "attempts": 0, "not_before": now,
             "created_at": now, "quiet_hours": False, "parts_sent": 0}
            for i in range(recipients)])
        await session.commit()


async def serve_fake(cap: float, per_chat: float) -> None:
    """The child process: the fake Bot API, on its own core as Telegram would be. Prints its
    address, waits for a line naming the recipients, then prints what it saw."""
    async with FakeTelegram(global_rate=cap, per_chat_rate=per_chat) as fake:
        print(json.dumps({"base_url": fake.base_url, "file_base_url": fake.file_base_url,
                          "token": fake.token}), flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        first, count = json.loads(line)
        sends = sorted(c.at for c in fake.calls_to("sendMessage") if c.ok)
        per_chat_counts = Counter(len(fake.messages(first + i)) for i in range(count))
        print(json.dumps({
            "rate": (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0,
            "n429": fake.n429, "missing": per_chat_counts.get(0, 0),
            "duplicates": sum((n - 1) * k for n, k in per_chat_counts.items() if n > 1),
        }), flush=True)


async def run(recipients: int, cap: float, per_chat: float, workdir: Path) -> dict[str, object]:
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    await seed(db, recipients)
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", "--cap", str(cap), "--per-chat", str(per_chat),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    fake = json.loads(await child.stdout.readline())
    settings = Settings(_env_file=None, database_url=url, media_dir=workdir / "media",
                        telegram_bot_token=SecretStr(fake["token"]),
                        telegram_api_base_url=fake["base_url"],
                        telegram_file_base_url=fake["file_base_url"])
    clock = SystemClock()
    services = build_services(settings, clock)
    channel = TelegramChannel(settings.telegram, Engine(db, services), services.media)
    sender = channel.outbox_sender(timeout=settings.outbox.send_timeout_seconds,
                                   connections=OUTBOX_CONNECTIONS)
    await sender.start()
    # As in `App`: the outbox's pace, within the platform's one budget (shared with replies).
    limiter = ChatRateLimiter(RateLimits(global_per_second=cap, per_chat_per_second=per_chat),
                              budget=RateBudget(cap))
    worker = OutboxWorker(db, {"telegram": sender}, clock, limiters={"telegram": limiter},
                          max_in_flight=settings.outbox.max_in_flight)
    started = time.perf_counter()
    worker.start()  # the product's own loop, as in `App`
    deadline = started + 10 * recipients / cap + 60
    while worker.sent < recipients and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    await worker.stop()
    elapsed = time.perf_counter() - started
    delivered = worker.sent
    await sender.stop()
    child.stdin.write(f"{json.dumps([FIRST_CHAT, recipients])}\n".encode())
    await child.stdin.drain()
    seen = json.loads(await child.stdout.readline())
    child.stdin.close()
    await child.wait()
    async with db.session() as session:
        statuses = Counter((await session.exec(select(OutboxMessage.status))).scalars().all())
    await db.dispose()
    return {
        "recipients": recipients, "cap": cap, "delivered": delivered,
        "elapsed_s": round(elapsed, 2), "rate_per_s": round(seen["rate"], 1),
        "ratio": round(seen["rate"] / cap, 3), "n429": seen["n429"],
        "duplicates": seen["duplicates"],
        "lost": max(seen["missing"], sum(v for st, v in statuses.items() if st != "sent")),
        "throttled_by_us": limiter.throttled,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--cap", type=float, default=200.0,
                        help="messages/s across all chats the fake allows (Telegram: ~30)")
    parser.add_argument("--per-chat", type=float, default=1.0,
                        help="messages/s within one chat the fake allows (Telegram: ~1)")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve_fake:
        await serve_fake(args.cap, args.per_chat)
        return
    for noisy in ("httpx", "httpcore", "alembic", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as tmp:
        figures = await run(args.recipients, args.cap, args.per_chat, Path(tmp))

    print(f"recipients: {figures['recipients']}, fake cap: {args.cap:g}/s overall, "
          f"{args.per_chat:g}/s per chat")
    print(f"delivered {figures['delivered']} in {figures['elapsed_s']} s: "
          f"{figures['rate_per_s']}/s = {figures['ratio']} of the cap "
          f"(target >= {TARGET_RATIO})")
    print(f"429s received: {figures['n429']} (target 0); duplicates: {figures['duplicates']}; "
          f"lost: {figures['lost']}")
    print(json.dumps({"bench": "fanout", "ratio": figures["ratio"], "n429": figures["n429"],
                      "duplicates": figures["duplicates"], "lost": figures["lost"],
                      "rate_per_s": figures["rate_per_s"], "cap": args.cap,
                      "recipients": figures["recipients"], "elapsed_s": figures["elapsed_s"]}))


if __name__ == "__main__":
    asyncio.run(main())
