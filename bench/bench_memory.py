"""Memory of one worker with 10,000 conversations in progress.

One real worker (`python -m bot`, Telegram webhook mode against the fake Bot API, SQLite unless
--database-url names a PostgreSQL database) receives a `/mohinh` from each of 10,000 people
(and their "agree" to the privacy notice at first contact), so 10,000 practice submissions are
under way at once; then its resident memory is read from /proc (VmRSS now, VmHWM the peak).
Conversation state lives in the database, so the worker's memory should not grow with the
number of conversations: the run prints the RSS before the load too.

    python bench/bench_memory.py [--conversations 10000] [--concurrency 100] [--dev-venv]

The worker runs in a virtualenv of its own with the product installed as deployed (`pip install
.`, no test or lint tools), made in a temporary directory (pip's cache makes it quick). The
development virtualenv would overstate it by about 12 MB: python-telegram-bot imports
`cryptography` and httpx imports `rich` and `click` whenever they are installed, and there they
are, pulled in by moto (tests) and import-linter (lint). `--dev-venv` measures that one instead.

Ends with one JSON line: {"bench": "memory", "conversations": 10000, "rss_mb": …}; target
<= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.workers import wait_until_healthy  # noqa: E402
from bot.telegram.webhook import SECRET_HEADER  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.support.consent import AGREE, is_privacy_notice  # noqa: E402

SECRET = "bench-Secret_1"
TARGET_MB = 150


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deployed_python(venv: Path) -> str:
    """A virtualenv with the product as `pip install .` deploys it; returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
                   check=True)
    return str(venv / "bin" / "python")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--dev-venv", action="store_true",
                        help="run the worker in this virtualenv, test and lint tools included")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        python = sys.executable if args.dev_venv else deployed_python(workdir / "venv")
        database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'memory.db'}"
        async with FakeTelegram() as fake, aiohttp.ClientSession() as http:
            port = free_port()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "ZALO_"))}
            env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
                    "LOG_LEVEL": "WARNING", "MEDIA_DIR": str(workdir / "media"),
                    "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                    "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
                    "WEBHOOK_URL": "https://bench.example.test/telegram/webhook",
                    "WEBHOOK_SECRET": SECRET, "TELEGRAM_REPLY_RATE_PER_SECOND": "0",
                    "WEB_PORT": str(port), "WORKER_ID": "memory"}
            worker = await asyncio.create_subprocess_exec(
                python, "-m", "bot", cwd=workdir, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=(workdir / "w.log").open("wb"))
            url = f"http://127.0.0.1:{port}/"
            try:
                await wait_until_healthy(http, url, worker, workdir / "w.log")
                before = memory_mb(worker.pid)
                queue: asyncio.Queue[int] = asyncio.Queue()
                for i in range(args.conversations):
                    queue.put_nowait(9_000_000 + i)

                async def sender() -> None:
                    while not queue.empty():
                        user = fake.user(queue.get_nowait())
                        update_id = user.send_command("mohinh")
                        async with http.post(url + "telegram/webhook",
                                             json=fake.raw_update(update_id),
                                             headers={SECRET_HEADER: SECRET}) as response:
                            assert response.status == 200
                        await fake.wait_for_message(user.id, count=1, since=0, timeout=120)
                        if is_privacy_notice(user.last.plain_text):  # first contact: agree
                            keyboard = user.last.buttons
                            since = len(user.inbox)
                            agree = next(b for b in keyboard if b.endswith(AGREE))
                            update_id = user.press(agree)
                            async with http.post(url + "telegram/webhook",
                                                 json=fake.raw_update(update_id),
                                                 headers={SECRET_HEADER: SECRET}) as response:
                                assert response.status == 200
                            await fake.wait_for_message(user.id, count=1, since=since,
                                                        timeout=120)

                started = time.perf_counter()
                await asyncio.gather(*(sender() for _ in range(args.concurrency)))
                elapsed = time.perf_counter() - started
                after = memory_mb(worker.pid)
                assert not fake.errors, fake.errors[:3]
            finally:
                worker.send_signal(signal.SIGTERM)
                await worker.wait()
        in_progress = None
        if database_url.startswith("sqlite"):
            with sqlite3.connect(workdir / "memory.db") as db:
                in_progress = db.execute(
                    "SELECT count(*) FROM conversation WHERE flow IS NOT NULL").fetchone()[0]
    rss = after["VmRSS"]
    verdict = "meets" if rss <= TARGET_MB else "ABOVE"
    venv = "development" if args.dev_venv else "deployed"
    print(f"one worker ({venv} virtualenv): RSS {before['VmRSS']} MB at start, {rss} MB with "
          f"{args.conversations} conversations in progress (peak {after['VmHWM']} MB); "
          f"{args.conversations / elapsed:.0f} first messages/s; conversations stored in the "
          f"database: {in_progress if in_progress is not None else 'not counted'}")
    print(f"target <= {TARGET_MB} MB: {verdict}")
    print(json.dumps({"bench": "memory", "conversations": args.conversations, "rss_mb": rss,
                      "rss_start_mb": before["VmRSS"], "peak_mb": after["VmHWM"],
                      "target_mb": TARGET_MB, "meets_target": rss <= TARGET_MB,
                      "stored_in_progress": in_progress, "venv": venv}))


if __name__ == "__main__":
    asyncio.run(main())
