"""The Open311 GeoReport v2 operations (bot/web/open311.py) in the OpenAPI description, so
clients find them beside the map API and the property test (tests/web/test_openapi_property.py)
throws anything at their parameters."""

from __future__ import annotations

from typing import Any

from bot.web.open311_params import MAX_RESULTS, REQUEST_ID

_LANG = {"name": "lang", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["vi", "en"], "default": "vi"},
         "description": "language of service names"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}


_ERRORS = {"description": "GeoReport v2 errors: a list of {code, description}",
           "content": {"application/json": {"schema": {"type": "array", "items": {
               "type": "object", "required": ["code", "description"],
               "properties": {"code": {"type": "integer"},
                              "description": {"type": "string"}}}}}}}
_LIST = {"description": "OK", "content": {"application/json": {
    "schema": {"type": "array", "items": {"type": "object"}}}}}
_OBJECT = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_DATE = {"type": "string", "format": "date-time"}


def open311_paths() -> dict[str, Any]:
    prefix = "/open311/v2"
    return {
        f"{prefix}/discovery.json": {"get": {
            "summary": "Open311 GeoReport v2 discovery", "responses": {"200": _OBJECT}}},
        f"{prefix}/services.json": {"get": {
            "summary": "Feedback categories as Open311 services", "parameters": [_LANG],
            "responses": {"200": _LIST}}},
        f"{prefix}/services/{{service_code}}.json": {"get": {
            "summary": "A service's definition: its one attribute, publish (no/yes)",
            "parameters": [_path("service_code", {"type": "string", "pattern": r"^[a-z_]+$"},
                                 "a category from services.json"), _LANG],
            "responses": {"200": _OBJECT, "404": _ERRORS}}},
        f"{prefix}/requests.json": {
            "get": {
                "summary": "Feedback its senders chose to publish: no personal data, the place "
                           f"rounded to ~100 m; newest first, at most {MAX_RESULTS}",
                "parameters": [
                    _query("service_request_id", {"type": "string"},
                           "receipt codes, comma-separated (then the other filters do not apply)"),
                    _query("service_code", {"type": "string"}, "categories, comma-separated"),
                    _query("start_date", _DATE, "created at or after (default: 90 days ago)"),
                    _query("end_date", _DATE, "created at or before"),
                    _query("status", {"type": "string", "enum": ["open", "closed",
                                                                 "open,closed"]},
                           "open, closed or both"),
                    _query("bbox", {"type": "string",
                                    "pattern": r"^[-0-9.eE+]+(,[-0-9.eE+]+){3}$"},
                           "west,south,east,north in degrees (an extension)"), _LANG],
                "responses": {"200": _LIST, "400": _ERRORS}},
            "post": {
                "summary": "File a feedback for a citizen (a partner application's api_key)",
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "required": ["api_key", "service_code", "description"],
                    "properties": {
                        "api_key": {"type": "string"}, "service_code": {"type": "string"},
                        "description": {"type": "string", "maxLength": 2000},
                        "address_id": {"type": "string", "description": "commune code"},
                        "address_string": {"type": "string",
                                           "description": "a commune's name"},
                        "lat": {"type": "number"}, "long": {"type": "number"},
                        "attribute[publish]": {"type": "string", "enum": ["no", "yes"]}}}}}},
                "responses": {"200": _LIST, "400": _ERRORS, "403": _ERRORS,
                              "429": _ERRORS}}},
        f"{prefix}/requests/{{service_request_id}}.json": {"get": {
            "summary": "One published feedback",
            "parameters": [_path("service_request_id",
                                 {"type": "string", "pattern": f"^{REQUEST_ID}$"},
                                 "receipt code"), _LANG],
            "responses": {"200": _LIST, "404": _ERRORS}}},
        f"{prefix}/media/{{photo_id}}.jpg": {"get": {
            "summary": "A photo sent with a published feedback, re-encoded without metadata",
            "parameters": [_path("photo_id", {"type": "integer", "minimum": 1}, "photo id")],
            "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                          "404": {"description": "no such published photo"}}}},
    }
