"""Reading a request's JSON body, for every route that takes one.

aiohttp's `request.json()` lets `RecursionError` through: a body of 100,000 `[` is a 500 and a
stack of frames. Here anything that is not a JSON document (bad UTF-8, bad syntax, nesting
deeper than the parser goes) is one 400 with a short reason, the same on every route.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

NOT_JSON = "body must be JSON"


def bad_request(detail: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": detail}), content_type="application/json")


def parse_json(raw: bytes) -> Any:
    """The document in `raw`; ValueError for anything that is not one (however it fails)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ValueError(NOT_JSON) from error


async def json_body(request: web.Request) -> Any:
    """The request's JSON document, or a 400."""
    try:
        return parse_json(await request.read())
    except ValueError:
        raise bad_request(NOT_JSON) from None
