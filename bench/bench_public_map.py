"""The public map under a crowd: 500 readers while the bot keeps answering a chat.

A newspaper links the map and its readers arrive together. This runs the real aiohttp server
(SQLite, 100,000 public practices plus a few hundred demo ones with photos) in this process, and
two child processes over HTTP, so the load generator does not share the server's event loop:

  * readers: `--readers` concurrent readers (default 500), each one connection, each asking
    without pause for what a visitor's browser asks: the map page, the GeoJSON of a random
    province's view (sometimes the whole country), a practice's popup card, a photo thumbnail;
  * chat: one person walking the whole practice submission flow over the web chat, again and
    again, timing each answer; measured alone first, then while the readers run.

    python bench/bench_public_map.py [--readers 500] [--seconds 30] [--practices 100000]

Prints the figures per kind of request, the chat's latency idle and under load, the load
average of the (shared) machine, and ends with one JSON line:
{"bench": "public_map", "readers": 500, "p99_ms": …, "rps": …, "chat_p50_ms": …, …}.
A benchmark prints figures; it passes or fails nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from bench_map import NOW, load  # noqa: E402

from bot.app import build_services  # noqa: E402
from bot.web.demo import load_demo  # noqa: E402
from bot.web.metrics import Metrics  # noqa: E402
from bot.web.server import WebServer  # noqa: E402
from handlers.clock import ManualClock  # noqa: E402
from handlers.engine import Engine  # noqa: E402
from settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.province_centres import PROVINCE_CENTRES, VIETNAM_BBOX  # noqa: E402
from storage.public_shapes import MapFilters  # noqa: E402
from storage.repositories import public_map  # noqa: E402
from tests.support.web_app import create_web_app  # noqa: E402

DEMO_WITH_PHOTOS = 300
# What a visitor's browser asks for, and how often (a page view is one map page, a few
# GeoJSON views as they pan and zoom, a popup or two and their photos).
MIX = (("map_page", 1), ("geojson_province", 4), ("geojson_country", 1), ("popup", 2),
       ("photo", 2))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- the readers (child process) ---------------------------------------------------------------


def reader_url(rng: random.Random, kind: str, codes: list[str], photos: list[int]) -> str:
    if kind == "map_page":
        return "/"
    if kind == "geojson_province":
        centre = rng.choice(list(PROVINCE_CENTRES.values()))
        bbox = ",".join(f"{v:.4f}" for v in centre.bbox())
        return f"/api/practices.geojson?bbox={bbox}&zoom=9"
    if kind == "geojson_country":
        return "/api/practices.geojson?bbox=" + ",".join(map(str, VIETNAM_BBOX)) + "&zoom=6"
    if kind == "popup":
        return f"/practices/{rng.choice(codes)}/popup"
    return f"/api/photos/{rng.choice(photos)}/thumb.jpg"


async def one_reader(base: str, seed: int, deadline: float, codes: list[str], photos: list[int],
                     timings: dict[str, list[float]], failures: list[str]) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    connector = aiohttp.TCPConnector(limit=1)  # one browser connection per reader
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as http:
        while time.perf_counter() < deadline:
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                async with http.get(reader_url(rng, kind, codes, photos)) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                failures.append(f"{kind}: {type(error).__name__}")
                continue
            if status != 200:
                failures.append(f"{kind}: HTTP {status}")
                continue
            timings[kind].append((time.perf_counter() - started) * 1000)


async def readers_role(base: str, readers: int, seconds: float, fixture: Path) -> dict:
    data = json.loads(fixture.read_text())
    timings: dict[str, list[float]] = {kind: [] for kind, _ in MIX}
    failures: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(one_reader(base, seed, deadline, data["codes"], data["photos"],
                                      timings, failures) for seed in range(readers)))
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "timings": timings, "failures": failures}


# -- the chat (child process) ------------------------------------------------------------------


async def chat_role(base: str, seconds: float) -> dict:
    from tests.support.chat_driver import walk
    from tests.support.practice_walk import COMPLETE_PRACTICE
    from tests.web.chat_client import WebChat, WebChatClient

    latencies: list[float] = []
    receipts = 0
    deadline = time.perf_counter() + seconds
    # unsafe: keep the session cookie although the server is an IP address (127.0.0.1)
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        chat = WebChatClient(http)

        async def timed(action) -> None:  # noqa: ANN001
            started = time.perf_counter()
            await action()
            latencies.append((time.perf_counter() - started) * 1000)
            assert chat.status == 200, chat.transcript[-1]

        await timed(chat.start)  # the page opens: the menu
        while time.perf_counter() < deadline:
            await timed(lambda: chat.text("/mohinh"))
            for step in COMPLETE_PRACTICE:
                await timed(lambda step=step: walk(WebChat(chat), [step]))
            await timed(lambda: chat.press("✅ Gửi"))
            receipts += "Mã tiếp nhận: MH-" in chat.last.text
    return {"latencies": latencies, "receipts": receipts}


# -- the server and the run (parent process) ---------------------------------------------------


def child(role: str, base: str, arguments: argparse.Namespace,
          fixture: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--role", role, "--base", base, "--fixture",
         str(fixture), "--seconds", str(seconds), "--readers", str(arguments.readers)],
        stdout=subprocess.PIPE, text=True)


async def result_of(process: subprocess.Popen) -> dict:
    stdout, _ = await asyncio.to_thread(process.communicate)
    assert process.returncode == 0, f"{process.args[3]} child failed"
    return json.loads(stdout.strip().splitlines()[-1])


async def fixture_for_readers(db: Database, path: Path) -> None:
    """Codes of public practices and ids of their photos, for popups and thumbnails. The demo
    practices with photos were stored first: they are the oldest."""
    async with db.reading() as session:
        points = await public_map.list_points(session, filters=MapFilters(), limit=10**6)
        codes = [point.code for point in points]
        photos: list[int] = []
        for code in codes[-DEMO_WITH_PHOTOS:]:
            practice = await public_map.get_public_practice(session, code=code)
            photos += [photo.id for photo in practice.photos] if practice else []
    assert photos, "no public practice with photos"
    path.write_text(json.dumps({"codes": codes, "photos": photos}))


def chat_figures(latencies: list[float]) -> str:
    return (f"{len(latencies)} answers, p50 {percentile(latencies, 50):.0f} ms, "
            f"p99 {percentile(latencies, 99):.0f} ms")


async def main(arguments: argparse.Namespace) -> dict:
    logging.getLogger().setLevel(logging.ERROR)  # the flows' warnings are not figures
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        settings = Settings(_env_file=None, database_url=url, media_dir=Path(tmp) / "media",
                            web_port=0, log_level="ERROR",
                            # one person walks the flow without pause, on a stopped clock:
                            # no abuse limits, typed text answered at once (not as a notice)
                            web_chat_rate_per_minute=10_000, messages_per_minute=10_000,
                            text_join_seconds=0)
        started = time.perf_counter()
        await load_demo(settings, count=DEMO_WITH_PHOTOS, seed=5, clock=ManualClock(NOW))
        db = Database(url)
        await load(db, settings, arguments.practices)
        print(f"loaded {arguments.practices:,} practices and {DEMO_WITH_PHOTOS} with photos "
              f"in {time.perf_counter() - started:.1f} s")
        fixture = Path(tmp) / "readers.json"
        await fixture_for_readers(db, fixture)
        services = build_services(settings, ManualClock(NOW))
        app = create_web_app(settings=settings, db=db, services=services,
                             engine=Engine(db, services), metrics=Metrics())
        server = WebServer(app, "127.0.0.1", 0)
        base = await server.start()
        try:
            idle = await result_of(child("chat", base, arguments, fixture,
                                         arguments.chat_seconds))
            print(f"chat alone: {chat_figures(idle['latencies'])}")
            load_before = os.getloadavg()[0]
            readers = child("readers", base, arguments, fixture, arguments.seconds)
            chat = child("chat", base, arguments, fixture, arguments.seconds)
            crowd, loaded = await result_of(readers), await result_of(chat)
            load_after = os.getloadavg()[0]
        finally:
            await server.stop()
            await db.dispose()
    every = [ms for timings in crowd["timings"].values() for ms in timings]
    rps = len(every) / crowd["elapsed"]
    print(f"{arguments.readers} readers for {crowd['elapsed']:.0f} s: {len(every):,} answers, "
          f"{rps:.0f}/s, p50 {percentile(every, 50):.0f} ms, p99 {percentile(every, 99):.0f} ms, "
          f"{len(crowd['failures'])} failed {sorted(set(crowd['failures']))[:5]}")
    for kind, timings in crowd["timings"].items():
        print(f"  {kind}: {len(timings):,}, p50 {percentile(timings, 50):.0f} ms, "
              f"p99 {percentile(timings, 99):.0f} ms")
    print(f"chat under load: {chat_figures(loaded['latencies'])}, "
          f"{loaded['receipts']} practices submitted")
    print(f"load average: {load_before:.1f} before the crowd, {load_after:.1f} after, "
          f"on {os.cpu_count()} cores shared with other jobs")
    return {"bench": "public_map", "readers": arguments.readers,
            "p99_ms": round(percentile(every, 99), 1), "rps": round(rps, 1),
            "p50_ms": round(percentile(every, 50), 1), "failed": len(crowd["failures"]),
            "chat_p50_ms": round(percentile(loaded["latencies"], 50), 1),
            "chat_p99_ms": round(percentile(loaded["latencies"], 99), 1),
            "chat_idle_p50_ms": round(percentile(idle["latencies"], 50), 1),
            "chat_idle_p99_ms": round(percentile(idle["latencies"], 99), 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--chat-seconds", type=float, default=10.0,
                        help="how long the chat is measured alone first")
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--role", choices=("readers", "chat"), help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--fixture", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.role == "readers":
        figures = asyncio.run(readers_role(arguments.base, arguments.readers,
                                           arguments.seconds, arguments.fixture))
    elif arguments.role == "chat":
        figures = asyncio.run(chat_role(arguments.base, arguments.seconds))
    else:
        figures = asyncio.run(main(arguments))
    print(json.dumps(figures))
