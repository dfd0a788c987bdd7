"""Only the leader long-polls Telegram: three workers (`python -m bot`, each its own process)
on one PostgreSQL, Telegram without a webhook against the fake Bot API. Telegram allows one
getUpdates at a time per bot (a second gets 409 Conflict), so the others must not poll; when
the leader dies, the next leader polls, and people are answered again.

Which process made each getUpdates is read from the request's TCP port (the fake records it;
tests/support/processes.py finds the worker holding that port). Waits are on the workers' log
lines and the fake's calls, never on a timer.

Skipped unless TEST_DATABASE_URL names a PostgreSQL server (`make test-postgres` starts one).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegram, RecordedCall
from tests.support.backend import ON_POSTGRES
from tests.support.processes import pid_with_port
from tests.support.worker_logs import WorkerLog

pytestmark = [pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
              pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
LEASE = 3  # LEADER_LEASE_SECONDS, short so the test is; the default is 15
LEADS = "this worker leads"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Worker:
    name: str
    process: asyncio.subprocess.Process
    log: WorkerLog

    @property
    def pid(self) -> int:
        return self.process.pid


async def start_worker(name: str, env: dict[str, str], workdir: Path) -> Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=workdir,
        env={**env, "WEB_PORT": str(free_port()), "WORKER_ID": name},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    return Worker(name, process, WorkerLog(process.stderr, workdir / f"{name}.log"))


def started_as_leader(worker: Worker) -> bool:
    """What the worker said when it started: whether it leads (bot/app.py, JSON log lines)."""
    for line in worker.log.lines:
        if '"worker started"' in line:
            return json.loads(line)["leader"] is True
    raise AssertionError(f"{worker.name} did not say it started")


@pytest.fixture
async def workers(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram,
                                                                             list[Worker]]]:
    async with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
        env.pop("WEBHOOK_URL", None)  # Telegram long-polls
        env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
                "MEDIA_DIR": str(tmp_path / "media"), "LOG_LEVEL": "INFO", "LOG_FORMAT": "json",
                "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
                "TELEGRAM_POLL_TIMEOUT_SECONDS": "1", "TELEGRAM_REPLY_RATE_PER_SECOND": "0",
                "LEADER_LEASE_SECONDS": str(LEASE)}
        started = [await start_worker(f"w{i}", env, tmp_path) for i in range(WORKERS)]
        try:
            for worker in started:
                await worker.log.wait_for("worker started", timeout=90)
            yield fake, started
        finally:
            for worker in started:
                if worker.process.returncode is None:
                    worker.process.send_signal(signal.SIGTERM)
            for worker in started:
                try:
                    await asyncio.wait_for(worker.process.wait(), 30)
                except TimeoutError:
                    worker.process.kill()
                    await worker.process.wait()
                await worker.log.close()


async def next_leader(candidates: list[Worker], since: dict[str, int], *,
                      timeout: float) -> Worker:
    """The first of `candidates` to log that it leads after line `since[name]` of its log."""
    waits = {asyncio.create_task(w.log.wait_for(LEADS, since=since[w.name],
                                                timeout=timeout)): w for w in candidates}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    first = done.pop()
    first.result()  # a failure (timeout, a worker that died) says what it saw
    return waits[first]


def pollers(fake: FakeTelegram, workers: list[Worker], calls: list[RecordedCall]) -> set[str]:
    """The workers that made these getUpdates calls (found while their connections are open:
    a poller keeps one connection for its polls)."""
    pids = {w.pid: w.name for w in workers if w.process.returncode is None}
    owners = {pid_with_port(call.client_port, pids) for call in calls if call.client_port}
    return {pids.get(owner, "(closed)") if owner else "(closed)" for owner in owners}


async def test_only_the_leader_calls_get_updates_and_the_next_leader_takes_it_over(workers):
    fake, running = workers
    [leader] = [w for w in running if started_as_leader(w)]

    # Someone writes; the leader fetches it and answers. Every poll so far came from it.
    first = fake.user(7_100_001, first_name="Người 1")
    first.send_command("start")
    await fake.wait_for_message(first.id, count=1, since=0, timeout=60)
    polled = await fake.wait_for_call("getUpdates", since=0, timeout=30)
    calls = fake.calls_to("getUpdates")
    assert polled in calls
    assert pollers(fake, running, calls) == {leader.name}
    assert all(c.ok for c in calls), calls

    # The leader dies: another worker leads, polls, and people are answered again.
    before = len(fake.calls)
    dead_ports = {c.client_port for c in calls}
    others = [w for w in running if w is not leader]
    marks = {w.name: len(w.log.lines) for w in others}
    leader.process.send_signal(signal.SIGKILL)
    await leader.process.wait()
    successor = await next_leader(others, marks, timeout=4 * LEASE + 20)
    second = fake.user(7_100_002, first_name="Người 2")
    second.send_command("start")
    await fake.wait_for_message(second.id, count=1, since=0, timeout=60)
    await fake.wait_for_call("getUpdates", lambda c: c.client_port not in dead_ports,
                             since=before, timeout=30)
    after = [c for c in fake.calls[before:] if c.method == "getUpdates"
             and c.client_port not in dead_ports]
    assert pollers(fake, running, after) == {successor.name}
    assert all(c.ok for c in after), after
    assert fake.errors == []
