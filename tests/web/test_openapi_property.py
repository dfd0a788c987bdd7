"""Property-based: whatever a client sends to the operations described at /api/openapi.json,
the server never answers 5xx. Inputs are drawn from each parameter's schema and, just as often,
from anything at all (wrong types, huge numbers, odd Unicode, empty values).

Hypothesis drives a synchronous HTTP client, so the real server runs on its own event loop in a
background thread."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import build_services
from bot.web.metrics import Metrics
from bot.web.server import WebServer
from handlers.engine import Engine
from storage.db import Database
from tests.support.web_app import create_web_app
from tests.web.factories import add_practice


class ServerThread:
    """The real web app on 127.0.0.1, on an event loop of its own."""

    def __init__(self, settings: Any, clock: Any) -> None:
        self.settings, self.clock = settings, clock
        self.loop = asyncio.new_event_loop()
        self.url = ""
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        self.db = Database(self.settings.database.url)
        services = build_services(self.settings, self.clock)
        for status in ("approved", "recognised", "submitted"):
            await add_practice(self.db, media=services.media, status=status, photos=1,
                               levels=("commune",) if status == "recognised" else ())
        await add_practice(self.db, lat=None, lon=None, title="Tiếng kẻng an ninh")
        app = create_web_app(settings=self.settings, db=self.db, services=services,
                             engine=Engine(self.db, services), metrics=Metrics())
        self.server = WebServer(app, "127.0.0.1", 0)
        self.url = (await self.server.start()).rstrip("/")

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(30), "the server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            await self.server.stop()
            await self.db.dispose()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()


@pytest.fixture
def api(settings, clock) -> Iterator[tuple[httpx.Client, dict]]:
    with ServerThread(settings, clock) as server, httpx.Client(base_url=server.url,
                                                               timeout=30) as http:
        document = http.get("/api/openapi.json").json()
        yield http, document


SEEDED = ["MH-2026-000001", "MH-2026-000002", "MH-2026-000003", "MH-2026-000004", "01", "79",
          "00070"]
ANYTHING = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "-1", "0", "99999999999999999999", "1e309", "null", "%00",
                     "../../etc/passwd", "MH-2026-000001", "1,2,3,4", "-181,-91,181,91"]),
)


BBOXES = st.tuples(st.floats(-180, 180), st.floats(-180, 180), st.floats(-90, 90),
                   st.floats(-90, 90)).map(
    lambda v: f"{min(v[:2])},{min(v[2:])},{max(v[:2])},{max(v[2:])}")


def from_schema(schema: dict[str, Any], name: str = "") -> st.SearchStrategy[str]:
    if name == "bbox":  # its pattern only says "four numbers"; most such boxes are invalid
        return st.one_of(BBOXES, st.from_regex(schema["pattern"], fullmatch=True))
    if "enum" in schema:
        return st.sampled_from([str(value) for value in schema["enum"]])
    if schema.get("type") == "integer":
        low, high = schema.get("minimum", -(10**6)), schema.get("maximum", 10**6)
        return st.one_of(st.integers(low, low + 10), st.integers(low - 5, high + 5)).map(str)
    if "pattern" in schema:
        seeded = [code for code in SEEDED if re.fullmatch(schema["pattern"], code)]
        return st.one_of(st.from_regex(schema["pattern"], fullmatch=True),
                         *([st.sampled_from(seeded)] if seeded else []))
    return st.text(max_size=schema.get("maxLength", 50) + 5)


def value_for(schema: dict[str, Any], name: str = "") -> st.SearchStrategy[str]:
    return st.one_of(from_schema(schema, name), ANYTHING)


@st.composite
def requests(draw: st.DrawFn, document: dict) -> tuple[str, dict[str, str]]:
    path = draw(st.sampled_from(sorted(document["paths"])))
    operation = document["paths"][path]["get"]
    valid_only = draw(st.booleans())  # half the requests keep to the schema, half do not
    strategy = from_schema if valid_only else value_for
    query: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            drawn = draw(strategy(parameter["schema"], parameter["name"]))
            path = path.replace("{" + parameter["name"] + "}", quote(drawn, safe=""))
        elif draw(st.booleans()):
            query[parameter["name"]] = draw(strategy(parameter["schema"], parameter["name"]))
    return path, query


def test_no_input_makes_the_api_answer_5xx(api):
    http, document = api
    assert len(document["paths"]) >= 5

    @hypothesis_settings(max_examples=250, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow])
    @given(request=requests(document))
    def check(request: tuple[str, dict[str, str]]) -> None:
        path, query = request
        response = http.get(path, params=query)
        assert response.status_code < 500, (path, query, response.text[:300])
        if path.startswith("/api/") and not path.startswith("/api/photos/"):
            response.json()  # API answers, errors included, are JSON

    check()
