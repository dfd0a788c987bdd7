"""Whole practice flows over webhooks on PostgreSQL, with one worker and then two.

Each worker is the real product (`python -m bot`, its own process and port) in Telegram webhook
mode, answering through the fake Bot API. The load generator (this process) is Telegram's side:
simulated users walk the whole submission flow concurrently, each update POSTed to the next
worker in turn (as a load balancer would), and the latency of an update is from its POST to the
moment the bot's reply reaches the fake. PostgreSQL is a throwaway server (`bash .ci/postgres`,
unless --database-url names one).

On one machine the workers, PostgreSQL and the load generator share the cores (2 here), so a
second worker can only add what the first left idle. The run therefore also measures CPU per
update of each part (workers, PostgreSQL, load generator, from /proc), which is what says what
N machines would give: a worker machine of C cores serves about C × 1000 / (worker ms per
update) updates/s, and one PostgreSQL core about 1000 / (PostgreSQL ms per update).

    python bench/bench_cluster.py [--users 30] [--database-url postgresql+asyncpg://…]

Ends with one JSON line: {"bench": "cluster", "workers_1": …, "workers_2": …, "ratio": …}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.workers import wait_until_healthy  # noqa: E402
from bot.telegram.webhook import SECRET_HEADER  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FakeUser, make_jpeg  # noqa: E402
from tests.support.consent import AGREE, is_privacy_notice  # noqa: E402
from tests.support.practice_walk import COMPLETE_PRACTICE  # noqa: E402

SECRET = "bench-Secret_1"
TICKS = os.sysconf("SC_CLK_TCK")


# -- CPU from /proc: a process and its children (PostgreSQL forks a backend per connection) ---


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and its live descendants (a backend that exited is not counted:
    the pools keep theirs open for the whole run)."""
    stats = {int(p): s for p in os.listdir("/proc") if p.isdigit()
             if (s := _stat(int(p))) is not None}
    total, frontier = 0.0, {root}
    while frontier:
        total += sum(stats[p][1] for p in frontier if p in stats)
        frontier = {p for p, (parent, _) in stats.items() if parent in frontier}
    return total


# -- PostgreSQL -------------------------------------------------------------------------------


def start_postgres() -> tuple[str, str]:
    """A throwaway server from .ci/postgres: (URL, shell command that stops it)."""
    out = subprocess.run(["bash", str(ROOT / ".ci/postgres")], check=True,
                         capture_output=True, text=True).stdout
    url = re.search(r"^TEST_DATABASE_URL=(\S+)$", out, re.M).group(1)
    stop = re.search(r"^# stop: (.+)$", out, re.M).group(1)
    return url, stop


async def postmaster_pid(url: str) -> int:
    connection = await _connect(url)
    try:
        directory = await connection.fetchval("SHOW data_directory")
    finally:
        await connection.close()
    return int(Path(directory, "postmaster.pid").read_text().split()[0])


async def _connect(url: str, database: str | None = None):  # noqa: ANN202
    parts = make_url(url)
    return await asyncpg.connect(host=parts.host, port=parts.port, user=parts.username,
                                 password=parts.password, database=database or parts.database)


async def fresh_database(url: str) -> str:
    name = f"dvk_bench_{uuid.uuid4().hex[:10]}"
    admin = await _connect(url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, target)
    return target


# -- workers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


Workers = list[tuple[asyncio.subprocess.Process, str]]


async def start_workers(n: int, database_url: str, fake: FakeTelegram, workdir: Path,
                        http: aiohttp.ClientSession) -> Workers:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
            "TEXT_JOIN_SECONDS": "0",  # measure the code, not the wait for a split text
            "MEDIA_DIR": str(workdir / "media"), "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url, "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
            "WEBHOOK_URL": "https://bench.example.test/telegram/webhook",
            "WEBHOOK_SECRET": SECRET, "TELEGRAM_REPLY_RATE_PER_SECOND": "0"}
    workers = []
    for i in range(n):
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=workdir,
            env={**env, "WEB_PORT": str(port), "WORKER_ID": f"bench-{i}"},
            stdout=asyncio.subprocess.DEVNULL, stderr=(workdir / f"w{i}.log").open("ab"))
        workers.append((process, f"http://127.0.0.1:{port}/"))
    for i, (process, url) in enumerate(workers):
        await wait_until_healthy(http, url, process, workdir / f"w{i}.log")
    return workers


async def stop_workers(workers: list) -> None:  # noqa: ANN001
    for process, _ in workers:
        process.send_signal(signal.SIGTERM)
    for process, _ in workers:
        await process.wait()


# -- the load ---------------------------------------------------------------------------------


async def walk(fake: FakeTelegram, http: aiohttp.ClientSession, user: FakeUser,
               urls: list[str], turn: int) -> list[float]:
    latencies: list[float] = []

    async def send(update_id: int) -> None:
        nonlocal turn
        turn += 1
        since = len(user.inbox)
        started = time.perf_counter()
        async with http.post(urls[turn % len(urls)] + "telegram/webhook",
                             json=fake.raw_update(update_id),
                             headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        await fake.wait_for_message(user.id, count=1, since=since, timeout=120)
        latencies.append(time.perf_counter() - started)
        if is_privacy_notice(user.last.plain_text):  # asked before the first personal answer
            await send(await press(AGREE))

    async def press(label: str) -> int:
        deadline = time.monotonic() + 60
        while True:
            keyboard = next((m for m in reversed(user.inbox) if m.buttons), None)
            found = [b for b in (keyboard.buttons if keyboard else [])
                     if b == label or b.endswith(label)]
            if found:
                return user.press(found[0])
            assert time.monotonic() < deadline, fake.dump(user.id)
            await asyncio.sleep(0.01)  # the answer's second message is on its way

    await send(user.send_command("mohinh"))
    for step in COMPLETE_PRACTICE:
        if step.kind == "photos":
            for i in range(step.value):
                await send(user.send_photo(make_jpeg(seed=user.id * 10 + i)))
        elif step.kind == "press":
            await send(await press(step.value))
        elif step.kind == "text":
            await send(user.send_text(step.value))
        else:
            await send(user.send_location(*step.value))
    await send(await press("Gửi"))
    assert "MH-" in (user.last.plain_text or ""), fake.dump(user.id)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(workers_n: int, users: int, base_url: str, postmaster: int, first_id: int,
              workdir: Path) -> dict:
    database_url = await fresh_database(base_url)
    async with FakeTelegram() as fake, aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0)) as http:
        workers = await start_workers(workers_n, database_url, fake, workdir, http)
        try:
            people = [fake.user(first_id + i, first_name=f"U{i}") for i in range(users)]
            urls = [url for _, url in workers]
            cpu_workers = sum(tree_cpu(p.pid) for p, _ in workers)
            cpu_pg, cpu_load = tree_cpu(postmaster), time.process_time()
            started = time.perf_counter()
            results = await asyncio.gather(*(walk(fake, http, p, urls, i)
                                             for i, p in enumerate(people)))
            elapsed = time.perf_counter() - started
            cpu_workers = sum(tree_cpu(p.pid) for p, _ in workers) - cpu_workers
            cpu_pg, cpu_load = tree_cpu(postmaster) - cpu_pg, time.process_time() - cpu_load
            assert not fake.errors, fake.errors[:3]
        finally:
            await stop_workers(workers)
    latencies = [x * 1000 for r in results for x in r]
    n = len(latencies)
    return {"updates_per_s": round(n / elapsed, 1), "p50_ms": round(percentile(latencies, 50), 1),
            "p99_ms": round(percentile(latencies, 99), 1), "updates": n,
            "worker_cpu_ms_per_update": round(cpu_workers * 1000 / n, 2),
            "postgres_cpu_ms_per_update": round(cpu_pg * 1000 / n, 2),
            "load_cpu_ms_per_update": round(cpu_load * 1000 / n, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--database-url", help="a PostgreSQL server to create databases on "
                        "(default: a throwaway one from .ci/postgres)")
    args = parser.parse_args()
    stop = None
    base_url = args.database_url or os.environ.get("TEST_DATABASE_URL", "")
    if not base_url.startswith("postgresql"):
        base_url, stop = start_postgres()
    try:
        postmaster = await postmaster_pid(base_url)
        with tempfile.TemporaryDirectory() as tmp:
            one = await run(1, args.users, base_url, postmaster, 8_100_000, Path(tmp))
            two = await run(2, args.users, base_url, postmaster, 8_200_000, Path(tmp))
    finally:
        if stop:
            subprocess.run(["bash", "-c", stop], check=False)
    ratio = round(two["updates_per_s"] / one["updates_per_s"], 2)
    cores = os.cpu_count() or 1
    per_update = two["worker_cpu_ms_per_update"]
    pg = two["postgres_cpu_ms_per_update"]
    for name, f in (("1 worker", one), ("2 workers", two)):
        print(f"{name}: {f['updates_per_s']} updates/s, p50 {f['p50_ms']} ms, p99 "
              f"{f['p99_ms']} ms; CPU per update: workers {f['worker_cpu_ms_per_update']} ms, "
              f"PostgreSQL {f['postgres_cpu_ms_per_update']} ms, load generator "
              f"{f['load_cpu_ms_per_update']} ms")
    busy = one["worker_cpu_ms_per_update"] + one["postgres_cpu_ms_per_update"] \
        + one["load_cpu_ms_per_update"]
    print(f"ratio 2/1: {ratio} on {cores} cores, which the workers share with PostgreSQL and "
          f"the load generator ({busy:.1f} ms of CPU per update in all with one worker: "
          f"{cores} cores allow about {cores * 1000 / busy:.0f} updates/s whatever the "
          "number of workers)")
    print(f"on paper, N worker machines of C cores: about N x C x {1000 / per_update:.0f} "
          f"updates/s from the workers, until PostgreSQL's share of {pg} ms per update "
          f"fills its cores (about {1000 / pg:.0f} updates/s per PostgreSQL core)")
    print(json.dumps({"bench": "cluster", "workers_1": one, "workers_2": two, "ratio": ratio,
                      "cores": cores, "users": args.users,
                      "worker_updates_per_core_s": round(1000 / per_update, 1),
                      "postgres_updates_per_core_s": round(1000 / pg, 1)}))


if __name__ == "__main__":
    asyncio.run(main())
