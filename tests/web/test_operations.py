"""What an operator sees: the product without a Telegram token serving the web side, /healthz
and /metrics."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.web.metrics import ErrorLogCounter, Metrics
from storage.db import Database
from tests.support.faults import partial_files, read_only
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.web_app import create_web_app
from tests.web.chat_client import WebChatClient
from tests.web.test_webchat import walk_practice


async def test_without_a_token_the_product_serves_map_chat_and_api_and_logs_the_url(
        settings, clock, caplog):
    caplog.set_level(logging.INFO, logger="bot.app")
    app = App(settings, clock=clock)
    await app.start()
    try:
        assert [c.channel for c in app.channels] == ["web"]  # no platform channel
        url = app.web.url
        assert any(url in record.getMessage() for record in caplog.records)
        async with aiohttp.ClientSession() as session:
            for path, marker in (("", "Bản đồ số mô hình"), ("chat", "Trò chuyện với bot"),
                                 ("api/practices.geojson", "FeatureCollection"),
                                 ("static/vendor/leaflet/leaflet.js", "Leaflet"),
                                 ("static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                                  "markercluster")):
                async with session.get(url + path) as response:
                    assert response.status == 200, path
                    assert marker in await response.text(), path
    finally:
        await app.stop()


async def test_metrics_count_updates_by_channel_completed_flows_and_errors(settings, clock):
    app = App(settings, clock=clock)
    await app.start()
    try:
        jar = aiohttp.CookieJar(unsafe=True)  # keep cookies from 127.0.0.1, as browsers do
        async with aiohttp.ClientSession(base_url=app.web.url, cookie_jar=jar) as browser:
            chat = WebChatClient(browser)
            await chat.start()
            await chat.text("/mohinh")
            await walk_practice(chat)
            await chat.press("✅ Gửi")
            assert "MH-" in chat.last.text
            logging.getLogger("handlers.engine").error("update failed (test)")
            async with browser.get("/metrics") as response:
                text = await response.text()
    finally:
        await app.stop()
    events = 2 + sum(int(step.value) if step.kind == "photos" else 1
                     for step in COMPLETE_PRACTICE) + 1 + 1  # the last: "Đồng ý", the notice
    assert f'dvk_updates_processed_total{{channel="web"}} {events}' in text
    assert 'dvk_updates_processed_total{channel="telegram"} 0' in text
    assert 'dvk_flow_completions_total{flow="practice"} 1' in text
    assert 'dvk_errors_total{source="handlers.engine"} 1' in text
    assert "dvk_outbox_backlog 0" in text
    assert "# TYPE dvk_reminders_sent_total counter" in text


async def test_metrics_token_is_required_when_set(settings, clock):
    from pydantic import SecretStr

    app = App(settings.updated(metrics_token=SecretStr("m3trics-t0ken")),
              clock=clock)
    await app.start()
    try:
        async with aiohttp.ClientSession(base_url=app.web.url) as client:
            for headers in ({}, {"Authorization": "Bearer wrong"},
                            {"Authorization": "m3trics-t0ken"},
                            {"Authorization": "Basic m3trics-t0ken"}):
                async with client.get("/metrics", headers=headers) as response:
                    assert response.status == 401, headers
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
                    assert "dvk_" not in await response.text()
            async with client.get("/metrics", headers={
                    "Authorization": "Bearer m3trics-t0ken"}) as response:
                assert response.status == 200
                assert "dvk_updates_processed_total" in await response.text()
            async with client.get("/healthz") as response:  # the rest stays open
                assert response.status == 200
    finally:
        await app.stop()


async def test_metrics_on_an_address_of_its_own_are_not_on_the_public_port(settings, clock):
    app = App(settings.updated(metrics_port=0), clock=clock)
    await app.start()
    try:
        assert app.web.metrics_url is not None
        async with aiohttp.ClientSession() as client:
            async with client.get(app.web.url + "metrics") as response:
                assert response.status == 404
            async with client.get(app.web.metrics_url) as response:
                assert response.status == 200
                assert "dvk_updates_processed_total" in await response.text()
    finally:
        await app.stop()


def test_metrics_text_format():
    metrics = Metrics()
    metrics.reminders_sent.inc('deadline "province"\n')
    handler = ErrorLogCounter(metrics)
    component = logging.getLogger("bot.telegram.channel")
    component.addHandler(handler)
    try:
        component.warning("slow answer")
        component.error("update failed")
    finally:
        component.removeHandler(handler)
    assert metrics.errors.value("bot.telegram.channel") == 1
    assert ('dvk_reminders_sent_total{kind="deadline \\"province\\"\\n"} 1'
            in metrics.reminders_sent.render())


async def test_health_reports_database_and_scheduler(settings, db, services, engine, metrics,
                                                     tmp_path):
    async def health(**wiring) -> tuple[int, dict]:
        app = create_web_app(settings=settings, services=services, engine=engine,
                             metrics=metrics, **{"db": db, **wiring})
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            response = await client.get("/healthz")
            return response.status, await response.json()

    assert await health() == (200, {"status": "ok", "database": "ok", "media": "ok",
                                    "scheduler": "absent"})
    assert await health(scheduler=SimpleNamespace(running=True)) == (
        200, {"status": "ok", "database": "ok", "media": "ok", "scheduler": "running"})
    assert await health(scheduler=SimpleNamespace(running=False)) == (
        503, {"status": "unhealthy", "database": "ok", "media": "ok", "scheduler": "stopped"})
    # Several workers (bot/leadership.py): a follower's scheduler waits its turn, healthy.
    leading = SimpleNamespace(leader=True, worker="host-a:101")
    assert await health(scheduler=SimpleNamespace(running=True), leadership=leading) == (
        200, {"status": "ok", "database": "ok", "media": "ok", "scheduler": "running",
              "leader": True, "worker": "host-a:101"})
    following = SimpleNamespace(leader=False, worker="host-b:202")
    assert await health(scheduler=SimpleNamespace(running=False), leadership=following) == (
        200, {"status": "ok", "database": "ok", "media": "ok", "scheduler": "standby",
              "leader": False, "worker": "host-b:202"})
    assert await health(scheduler=SimpleNamespace(running=False), leadership=leading) == (
        503, {"status": "unhealthy", "database": "ok", "media": "ok", "scheduler": "stopped",
              "leader": True, "worker": "host-a:101"})
    unreachable = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite")
    try:
        assert await health(db=unreachable) == (
            503, {"status": "unhealthy", "database": "error", "media": "ok",
                  "scheduler": "absent"})
    finally:
        await unreachable.dispose()


async def test_a_read_only_media_directory_turns_health_to_503_with_the_reason(
        settings, db, services, engine, metrics):
    app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                         metrics=metrics)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        with read_only(services.media.root) as reason:
            response = await client.get("/healthz")
            assert response.status == 503
            assert await response.json() == {"status": "unhealthy", "database": "ok",
                                             "media": reason, "scheduler": "absent"}
        response = await client.get("/healthz")  # writable again: healthy again
        assert response.status == 200 and (await response.json())["media"] == "ok"
    assert partial_files(services.media.root) == []
    assert not (services.media.root / "healthz").exists() or not any(
        (services.media.root / "healthz").iterdir())  # the probe files were removed
