"""Throughput of the practice submission flow against the framework's own ceiling.

Simulated users walk the whole submission flow concurrently through the real product (python-
telegram-bot polling the fake Bot API over HTTP, SQLite, the engine). In the same run and on the
same harness, a bare python-telegram-bot echo bot answers the same number of updates from the
same users. The fake Bot API and the users run in a child process, on their own core as Telegram
and its users would be, so the bot's process is what is measured. Latency is measured from the
moment an update is queued at the fake Bot API to the moment the bot's reply reaches it.

    python bench/bench_throughput.py [--users 40]

Ends with one JSON line: {"bench": "throughput", ...}; target ratio >= 0.5.
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

from pydantic import SecretStr  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, TypeHandler  # noqa: E402

from bot.app import App  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FakeUser  # noqa: E402
from tests.support.practice_walk import COMPLETE_PRACTICE  # noqa: E402

TARGET_RATIO = 0.5


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def send_and_wait(fake: FakeTelegram, user: FakeUser, send) -> float:  # noqa: ANN001
    since = len(user.inbox)
    started = time.perf_counter()
    send()
    await fake.wait_for_message(user.id, count=1, since=since, timeout=60)
    return time.perf_counter() - started


def press(user: FakeUser, label: str) -> None:
    keyboard = next(m for m in reversed(user.inbox) if m.buttons)
    matches = [b for b in keyboard.buttons if b == label or b.endswith(label)]
    user.press(matches[0])


def act(user: FakeUser, step) -> None:  # noqa: ANN001
    if step.kind == "press":
        press(user, step.value)
    elif step.kind == "text":
        user.send_text(step.value)
    elif step.kind == "location":
        user.send_location(*step.value)


async def walk_submission(fake: FakeTelegram, user: FakeUser) -> list[float]:
    latencies = [await send_and_wait(fake, user, lambda: user.send_command("mohinh"))]
    for step in COMPLETE_PRACTICE:
        if step.kind == "photos":  # one by one: an album would measure the album wait instead
            for _ in range(step.value):
                latencies.append(await send_and_wait(fake, user, user.send_photo))
            continue
        latencies.append(await send_and_wait(fake, user, lambda s=step: act(user, s)))
    latencies.append(await send_and_wait(fake, user, lambda: press(user, "Gửi")))
    assert "MH-" in user.last.text, user.last.text
    return latencies


async def walk_echo(fake: FakeTelegram, user: FakeUser, n: int) -> list[float]:
    return [await send_and_wait(fake, user, lambda i=i: user.send_text(f"tin nhắn {i}"))
            for i in range(n)]


async def telegram_side(mode: str, users: int, per_user: int) -> None:
    """The child process: the fake Bot API and the simulated users, on their own core as
    Telegram and its users would be. Prints the fake's address, waits for "go" (the bot is
    polling), walks every user, then prints the elapsed time and every latency."""
    async with FakeTelegram() as fake:
        print(json.dumps({"base_url": fake.base_url, "file_base_url": fake.file_base_url,
                          "token": fake.token}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        people = [fake.user(10_000 + i, first_name=f"U{i}") for i in range(users)]
        started = time.perf_counter()
        if mode == "product":
            results = await asyncio.gather(*(walk_submission(fake, p) for p in people))
        else:
            results = await asyncio.gather(*(walk_echo(fake, p, per_user) for p in people))
        elapsed = time.perf_counter() - started
        print(json.dumps({"elapsed": elapsed, "latencies": [x for r in results for x in r],
                          "errors": [repr(e) for e in fake.errors[:3]]}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def with_telegram_side(mode: str, users: int, per_user: int, start_bot, stop_bot):  # noqa: ANN001, ANN201
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--telegram-side", mode, "--users", str(users),
        "--per-user", str(per_user), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, limit=2**26)
    fake = json.loads(await child.stdout.readline())
    bot = await start_bot(fake)
    child.stdin.write(b"go\n")
    await child.stdin.drain()
    seen = json.loads(await child.stdout.readline())
    await stop_bot(bot)
    child.stdin.write(b"done\n")
    await child.stdin.drain()
    await child.wait()
    assert not seen["errors"], seen["errors"]
    return seen["elapsed"], seen["latencies"]


async def run_product(users: int, workdir: Path) -> tuple[float, list[float]]:
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)

    async def start(fake: dict) -> App:
        settings = Settings(
            _env_file=None, database_url=url, media_dir=workdir / "media", web_port=0,
            telegram_bot_token=SecretStr(fake["token"]), telegram_api_base_url=fake["base_url"],
            telegram_file_base_url=fake["file_base_url"], telegram_poll_timeout_seconds=1,
            telegram_reply_rate_per_second=0,  # like the echo bot: measure code, not the cap
        )
        app = App(settings)
        await app.start()
        return app

    async def stop(app: App) -> None:
        await app.stop()

    return await with_telegram_side("product", users, 0, start, stop)


async def run_echo(users: int, per_user: int) -> tuple[float, list[float]]:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(update.effective_message.text)

    async def start(fake: dict) -> Application:
        application = (Application.builder().token(fake["token"]).base_url(fake["base_url"])
                       .base_file_url(fake["file_base_url"]).concurrent_updates(256).build())
        application.add_handler(TypeHandler(Update, echo))
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        return application

    async def stop(application: Application) -> None:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()

    return await with_telegram_side("echo", users, per_user, start, stop)


def figures(elapsed: float, latencies: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in latencies]
    return {"updates_per_s": round(len(ms) / elapsed, 1), "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1), "p99_ms": round(percentile(ms, 99), 1),
            "mean_ms": round(statistics.fmean(ms), 1), "updates": len(ms)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--telegram-side", choices=("product", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--per-user", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.telegram_side:
        await telegram_side(args.telegram_side, args.users, args.per_user)
        return

    with tempfile.TemporaryDirectory() as tmp:
        elapsed, latencies = await run_product(args.users, Path(tmp))
    product = figures(elapsed, latencies)
    per_user = len(latencies) // args.users
    echo_elapsed, echo_latencies = await run_echo(args.users, per_user)
    echo = figures(echo_elapsed, echo_latencies)
    ratio = round(product["updates_per_s"] / echo["updates_per_s"], 3)

    print(f"users: {args.users}, updates per user: {per_user}")
    print(f"submission flow: {product['updates_per_s']} updates/s, p50 {product['p50_ms']} ms, "
          f"p95 {product['p95_ms']} ms, p99 {product['p99_ms']} ms")
    print(f"echo bot (ceiling): {echo['updates_per_s']} updates/s, p50 {echo['p50_ms']} ms, "
          f"p95 {echo['p95_ms']} ms, p99 {echo['p99_ms']} ms")
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"ratio {ratio} ({verdict} the target of {TARGET_RATIO})")
    print(json.dumps({"bench": "throughput", **product,
                      "echo_updates_per_s": echo["updates_per_s"], "echo_p99_ms": echo["p99_ms"],
                      "ratio": ratio, "target_ratio": TARGET_RATIO}))


if __name__ == "__main__":
    asyncio.run(main())
