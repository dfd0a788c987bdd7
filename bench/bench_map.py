"""The digital map at scale: 100,000 public practices over all 34 provinces.

Measures, on SQLite, through the real aiohttp server over HTTP:
  * the GeoJSON answer for one province's bounding box (Hà Nội, at the zoom the map uses there);
  * the GeoJSON answer for the whole country (clustered on the server, so it stays small);
  * both again just after the map changed (a practice recognised before each request), when
    the answers each worker keeps (bot/web/map_answers.py) are dropped and computed afresh;
  * the map page's time to first clustered render in headless Chromium (Debian's chromium),
    from navigation start to the first clusters drawn, with the network cut off (no tiles).

    python bench/bench_map.py [--practices 100000] [--runs 7]

The server runs in this process, so the process CPU time spent per request (server and the
small client) is printed beside the wall time: on a machine shared with other jobs, wall time
includes waiting for a core, CPU time does not.

Compares the medians with issue 17's targets (province ≤ 50 ms, country ≤ 150 ms) and ends
with one JSON line: {"bench": "map", "province_ms": …, "country_ms": …, "render_ms": …}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bot.app import build_services  # noqa: E402
from bot.web.demo_data import demo_practices  # noqa: E402
from bot.web.keys import ServerSettings  # noqa: E402
from bot.web.metrics import Metrics  # noqa: E402
from bot.web.server import WebServer, create_web_app  # noqa: E402
from handlers.clock import ManualClock  # noqa: E402
from handlers.engine import Engine  # noqa: E402
from settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402
from storage.province_centres import PROVINCE_CENTRES, VIETNAM_BBOX  # noqa: E402
from storage.repositories import demo  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Every host but ours fails to resolve at once: no tiles, as offline, without the cost of
# intercepting each request.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
BATCH = 5000
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
TARGETS_MS = {"province": 50.0, "country": 150.0}  # issue 17, item 7


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def load(db: Database, settings: Settings, count: int) -> None:
    services = build_services(settings, ManualClock(NOW))
    rng = random.Random(7)
    async with db.session() as session:
        submitter = await demo.add_person(session, display_name=demo.DEMO_SUBMITTER,
                                          role="citizen", now=NOW)
        official = await demo.add_person(session, display_name=demo.DEMO_OFFICIAL,
                                         role="official", now=NOW)
        first_id = await demo.next_practice_id(session)
        await session.commit()
    made = demo_practices(services.units, count, seed=11, now=NOW)
    for start in range(0, count, BATCH):
        rows, recognitions = [], []
        for offset, item in enumerate(made[start:start + BATCH]):
            practice_id = first_id + start + offset
            created = item.values["created_at"]
            rows.append({**item.values, "id": practice_id, "submitter_id": submitter.id,
                         "status": "approved" if item.status == "submitted" else item.status,
                         "code": f"MH-{created.year}-{practice_id:06d}", "answers": {}})
            for level in item.recognition_levels:
                recognitions.append({"practice_id": practice_id, "level": level,
                                     "unit_code": item.values["commune_code"],
                                     "recognised_by": official.id, "recognised_at": created,
                                     "valid_until": created.replace(year=created.year + 5)})
        rng.shuffle(rows)
        async with db.session() as session:
            await demo.bulk_insert(session, practices=rows, recognitions=recognitions)
            await session.commit()


async def timed_get(http: aiohttp.ClientSession, url: str, runs: int,
                    before_each: Callable[[], Awaitable[None]] | None = None,
                    ) -> tuple[float, float, dict]:
    """Median wall time and median process CPU time of `runs` GETs, in ms, and the body;
    `before_each` runs before each GET, outside the time measured."""
    timings, cpu_times, body = [], [], {}
    async with http.get(url) as response:  # warm-up: caches, first connection
        await response.read()
    for _ in range(runs):
        if before_each is not None:
            await before_each()
        started, cpu_started = time.perf_counter(), process_cpu_seconds()
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 200, body
        timings.append((time.perf_counter() - started) * 1000)
        cpu_times.append((process_cpu_seconds() - cpu_started) * 1000)
    return statistics.median(timings), statistics.median(cpu_times), body


def against_target(name: str, wall_ms: float, cpu_ms: float, when: str = "") -> str:
    target = TARGETS_MS[name]
    verdict = "within" if wall_ms <= target else "ABOVE"
    label = f"{name} ({when})" if when else name
    return (f"{label}: {wall_ms:.1f} ms wall ({cpu_ms:.1f} ms CPU) against ≤ {target:.0f} ms: "
            f"{verdict} the target")


def change_the_map(db: Database) -> Callable[[], Awaitable[None]]:
    """A practice recognised at the commune level: what the map shows changes, so every kept
    answer is dropped (bot/web/map_answers.py) and the next reader's answer is computed."""

    async def recognise() -> None:
        async with db.session() as session:
            practice_id = await demo.next_practice_id(session) - 1
            official = await demo.add_person(session, display_name=demo.DEMO_OFFICIAL,
                                             role="official", now=NOW)
            await demo.bulk_insert(session, practices=(), recognitions=[{
                "practice_id": practice_id, "level": "commune", "unit_code": None,
                "recognised_by": official.id, "recognised_at": NOW,
                "valid_until": NOW.replace(year=NOW.year + 5)}])
            await session.commit()

    return recognise


async def render_time(base_url: str, runs: int) -> float | None:
    if not CHROMIUM.exists():
        print("render: /usr/bin/chromium not installed, skipped")
        return None
    from playwright.async_api import async_playwright

    timings = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS + OFFLINE)
        for _ in range(runs + 1):  # the first load warms Chromium's caches; not counted
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            page = await context.new_page()
            await page.goto(base_url)
            await page.wait_for_function("() => window.dvkFirstRender !== undefined",
                                         timeout=60_000)
            assert await page.locator(".marker-cluster").count() > 0
            timings.append(await page.evaluate("() => window.dvkFirstRender"))
            await context.close()
        await browser.close()
    return statistics.median(timings[1:])


async def main(count: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        settings = Settings(_env_file=None, database_url=url, media_dir=Path(tmp) / "media",
                            web_port=0, log_level="WARNING")
        await upgrade_async(url)
        db = Database(url)
        started = time.perf_counter()
        await load(db, settings, count)
        print(f"loaded {count:,} practices in {time.perf_counter() - started:.1f} s")
        services = build_services(settings, ManualClock(NOW))
        app = create_web_app(settings=ServerSettings.of(settings), db=db, services=services,
                             engine=Engine(db, services), metrics=Metrics())
        server = WebServer(app, "127.0.0.1", 0)
        base = await server.start()
        try:
            hanoi = ",".join(f"{v:.4f}" for v in PROVINCE_CENTRES["01"].bbox())
            country = ",".join(str(v) for v in VIETNAM_BBOX)
            async with aiohttp.ClientSession() as http:
                province_ms, province_cpu, province = await timed_get(
                    http, f"{base}api/practices.geojson?bbox={hanoi}&zoom=9", runs)
                country_ms, country_cpu, whole = await timed_get(
                    http, f"{base}api/practices.geojson?bbox={country}&zoom=6", runs)
                # The same views just after the map changed: the answers are computed afresh.
                province_cold_ms, province_cold_cpu, _ = await timed_get(
                    http, f"{base}api/practices.geojson?bbox={hanoi}&zoom=9", runs,
                    change_the_map(db))
                country_cold_ms, country_cold_cpu, _ = await timed_get(
                    http, f"{base}api/practices.geojson?bbox={country}&zoom=6", runs,
                    change_the_map(db))
            print(f"province (Hà Nội bbox, zoom 9): {province_ms:.1f} ms median "
                  f"({province_cpu:.1f} ms CPU), {province['total']:,} practices, "
                  f"{len(province['features'])} features, clustered={province['clustered']}")
            print(f"whole country (zoom 6): {country_ms:.1f} ms median "
                  f"({country_cpu:.1f} ms CPU), {whole['total']:,} practices, "
                  f"{len(whole['features'])} features, clustered={whole['clustered']}")
            print(f"load average while measuring: {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} cores")
            print(f"just after a change (kept answers dropped, computed afresh): province "
                  f"{province_cold_ms:.1f} ms ({province_cold_cpu:.1f} ms CPU), country "
                  f"{country_cold_ms:.1f} ms ({country_cold_cpu:.1f} ms CPU)")
            print(against_target("province", province_ms, province_cpu))
            print(against_target("country", country_ms, country_cpu))
            print(against_target("province", province_cold_ms, province_cold_cpu,
                                 "after a change"))
            print(against_target("country", country_cold_ms, country_cold_cpu,
                                 "after a change"))
            render_ms = await render_time(base, max(3, runs // 2))
            if render_ms is not None:
                print(f"map page, navigation start to first clustered render: {render_ms:.0f} ms")
        finally:
            await server.stop()
            await db.dispose()
    return {"bench": "map", "practices": count, "province_ms": round(province_ms, 1),
            "country_ms": round(country_ms, 1), "province_cpu_ms": round(province_cpu, 1),
            "country_cpu_ms": round(country_cpu, 1),
            "province_after_change_ms": round(province_cold_ms, 1),
            "country_after_change_ms": round(country_cold_ms, 1),
            "country_after_change_cpu_ms": round(country_cold_cpu, 1),
            "render_ms": round(render_ms, 1) if render_ms is not None else None}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.practices, arguments.runs))))
